import type { Context } from '../context';
import { AppError } from '../errors';
import type { AnswerBudget } from '../lists';

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

/**
 * The request's answer budget, for the statements that read its lists: what the answer may still take, and
 * its refusal when a statement measures more than that before reading it (see runMeasured in lists/select.ts).
 */
export function answerBudget(ctx: Context): AnswerBudget {
  return {
    left: () => ctx.limits.maxResponseBytes - (spent.get(ctx) ?? 0),
    refuse(bytes) {
      spendOnAnswer(ctx, bytes);
      throw new Error(`${bytes} bytes were refused but fit the answer`);
    },
  };
}
