import { Lru } from './lru';

describe('Lru', () => {
  it('keeps at most its limit, dropping the entry least recently set or read', () => {
    const kept = new Lru<string, number>(3);
    ['a', 'b', 'c'].forEach((key, i) => kept.set(key, i));
    expect(kept.get('a')).toBe(0); // a is now the most recent: b goes first
    kept.set('d', 3);
    expect(kept.get('b')).toBeUndefined();
    expect([kept.get('a'), kept.get('c'), kept.get('d')]).toEqual([0, 2, 3]);
  });

  it('keeps an entry in use however many one-off entries pass, and keeps null as a value', () => {
    const kept = new Lru<string, string | null>(10);
    kept.set('hot', null);
    for (let i = 0; i < 1000; i += 1) {
      kept.set(`once ${i}`, 'x');
      expect(kept.get('hot')).toBeNull();
    }
    expect(kept.get('once 0')).toBeUndefined();
  });
});
