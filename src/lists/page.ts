import { AppError } from '../errors';
import { decodeCursor } from './cursor';
import type { KeyValue, Ordering } from './ordering';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

/** Relay's page arguments: `first` (after `after`) pages forwards, `last` (before `before`) backwards. */
export interface PageArgs {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
}

/** A validated page request: its size, its direction, and the key values of the cursors bounding it. */
export interface Page {
  ordering: Ordering;
  size: number;
  backward: boolean;
  after: KeyValue[] | null;
  before: KeyValue[] | null;
}

export function parsePage(args: PageArgs, ordering: Ordering): Page {
  if (args.first != null && args.last != null) {
    throw AppError.badInput([{ path: ['last'], message: 'cannot be combined with first' }]);
  }
  const backward = args.last != null;
  const size = (backward ? args.last : args.first) ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(size) || size < 0 || size > MAX_PAGE_SIZE) {
    throw AppError.badInput([{ path: [backward ? 'last' : 'first'], message: `must be between 0 and ${MAX_PAGE_SIZE}` }]);
  }
  return {
    ordering,
    size,
    backward,
    after: args.after == null ? null : decodeCursor(args.after, ordering, 'after'),
    before: args.before == null ? null : decodeCursor(args.before, ordering, 'before'),
  };
}
