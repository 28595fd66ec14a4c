import type { Context } from '../context';
import { AppError } from '../errors';

// Bytes of text handed to each request's answer so far, by its context (one per request, gone with it).
const spent = new WeakMap<Context, number>();

/**
 * Counts `bytes` of rows going into the request's answer, and refuses the answer (RESPONSE_TOO_LARGE) once
 * they pass the limit: while the answer is built, before its text is. Counted where pages and rows are
 * handed to resolvers, once for every place they appear in the answer. Once refused, every later call
 * refuses too (`0` asks before reading more).
 */
export function spendOnAnswer(ctx: Context, bytes: number): void {
  const total = (spent.get(ctx) ?? 0) + bytes;
  spent.set(ctx, total);
  const limit = ctx.limits.maxResponseBytes;
  if (total > limit) {
    throw new AppError('RESPONSE_TOO_LARGE', `the answer would be larger than ${limit} bytes: ask for fewer items, smaller pages or fewer fields`, undefined, {
      limit,
    });
  }
}
