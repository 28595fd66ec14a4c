/**
 * A map of at most `limit` entries, for what is worked out once and kept for the requests that ask the same
 * (statement texts, prepared statements' names): reading an entry makes it the most recent, and setting one
 * beyond the limit drops the least recent, so what is in use stays however many one-off entries pass.
 */
export class Lru<Key, Value> {
  private readonly entries = new Map<Key, Value>();

  constructor(private readonly limit: number) {}

  get(key: Key): Value | undefined {
    const value = this.entries.get(key);
    if (value !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, value);
    }
    return value;
  }

  set(key: Key, value: Value): void {
    this.entries.delete(key);
    if (this.entries.size >= this.limit) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, value);
  }
}
