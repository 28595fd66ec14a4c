/**
 * One subscription's events, as the async iterator graphql-js reads: events wait here (at most `limit` of
 * them) until the subscriber's previous one has been sent. A subscriber whose events pile up past the limit
 * is ended (`onOverflow`) rather than buffered without end. `fail` ends it with an error once the events
 * queued before it are read; `return` (the client unsubscribed, or left) ends it at once. Not an async
 * generator: a generator's `return` would wait behind a pending `next`, i.e. until the next event.
 *
 * A transport that sends from the fan-out itself (WebSocket) gives the feed a consumer instead: each value
 * goes to it as it is pushed, nothing is queued, and the iterator only tells how the feed ends.
 */
export class Feed<T> implements AsyncIterableIterator<T> {
  private readonly queue: T[] = [];
  private waiting: { resolve: (result: IteratorResult<T>) => void; reject: (error: unknown) => void } | null = null;
  private failure: Error | null = null;
  private ended = false;
  private consumer: ((value: T) => Promise<void> | void) | null = null;

  constructor(
    private readonly limit: number,
    /** Called once, however the feed ends. */
    private readonly onEnd: () => void,
    private readonly onOverflow: () => Error,
  ) {}

  get open(): boolean {
    return !this.ended && !this.failure;
  }

  /** Hands every value pushed from now on to `consumer` at once; push returns what it returns. */
  consume(consumer: (value: T) => Promise<void> | void): void {
    this.consumer = consumer;
  }

  push(value: T): Promise<void> | void {
    if (!this.open) return;
    if (this.consumer) return this.consumer(value);
    if (this.waiting) {
      const { resolve } = this.waiting;
      this.waiting = null;
      resolve({ value, done: false });
    } else if (this.queue.length >= this.limit) this.fail(this.onOverflow());
    else this.queue.push(value);
  }

  /** Ends the feed with `error`, after the events already queued. */
  fail(error: Error): void {
    if (!this.open) return;
    this.failure = error;
    this.onEnd();
    if (this.waiting) {
      const { reject } = this.waiting;
      this.waiting = null;
      reject(error);
    }
  }

  next(): Promise<IteratorResult<T>> {
    const value = this.queue.shift();
    if (value !== undefined) return Promise.resolve({ value, done: false });
    if (this.failure) {
      const error = this.failure;
      this.failure = null;
      this.ended = true;
      return Promise.reject(error);
    }
    if (this.ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => (this.waiting = { resolve, reject }));
  }

  return(): Promise<IteratorResult<T>> {
    if (!this.ended) {
      if (!this.failure) this.onEnd();
      this.ended = true;
      this.failure = null;
      this.queue.length = 0;
      this.waiting?.resolve({ value: undefined, done: true });
      this.waiting = null;
    }
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
