import type { UserRow } from '../db/models/user';
import { SessionCache, type CachedSignIn } from './session-cache';

const signIn = (userId: number, sessionId: number | null = userId): CachedSignIn => ({
  user: { id: userId, name: `u${userId}`, email: null } as UserRow,
  sessionId,
  issuer: null,
});

describe('the session cache', () => {
  it('holds at most maxEntries, dropping the least recently used', () => {
    const cache = new SessionCache(3, 60_000);
    for (const id of [1, 2, 3]) cache.set(`k${id}`, signIn(id), cache.mark());
    expect(cache.get('k1')?.user.id).toBe(1); // k1 is now the most recently used
    cache.set('k4', signIn(4), cache.mark());
    expect(cache.size).toBe(3);
    expect(cache.get('k2')).toBeUndefined();
    expect(['k1', 'k3', 'k4'].map((k) => cache.get(k)?.user.id)).toEqual([1, 3, 4]);
  });

  it('stays bounded however many sign-ins pass through it', () => {
    const cache = new SessionCache(1000, 60_000);
    for (let id = 1; id <= 50_000; id += 1) cache.set(`k${id}`, signIn(id), cache.mark());
    expect(cache.size).toBe(1000);
    expect(cache.get('k50000')?.user.id).toBe(50_000);
    expect(cache.get('k49000')).toBeUndefined();
  });

  it('uses an entry for its time to live and never past the expiry it was given', () => {
    const now = jest.spyOn(Date, 'now').mockReturnValue(1_000_000);
    try {
      const cache = new SessionCache(10, 1000);
      cache.set('lives', signIn(1), cache.mark());
      cache.set('expires', signIn(2), cache.mark(), new Date(1_000_400));
      now.mockReturnValue(1_000_399);
      expect(cache.get('lives')?.user.id).toBe(1);
      expect(cache.get('expires')?.user.id).toBe(2);
      now.mockReturnValue(1_000_400);
      expect(cache.get('expires')).toBeUndefined();
      now.mockReturnValue(1_000_999);
      expect(cache.get('lives')?.user.id).toBe(1);
      now.mockReturnValue(1_001_000);
      expect(cache.get('lives')).toBeUndefined();
      expect(cache.size).toBe(0);
    } finally {
      now.mockRestore();
    }
  });

  it('does not keep what a lookup read when something was invalidated while it ran', () => {
    const cache = new SessionCache(10, 60_000);
    const mark = cache.mark();
    cache.invalidateSession(7);
    cache.set('read before the revocation', signIn(1, 7), mark);
    expect(cache.get('read before the revocation')).toBeUndefined();
  });

  it('invalidates by key, session, user, or all', () => {
    const cache = new SessionCache(10, 60_000);
    const fill = () => {
      cache.invalidateAll();
      cache.set('a', signIn(1, 10), cache.mark());
      cache.set('b', signIn(1, 11), cache.mark());
      cache.set('c', signIn(2, 12), cache.mark());
    };
    const kept = () => ['a', 'b', 'c'].filter((k) => cache.get(k));
    fill();
    cache.invalidateKey('a');
    expect(kept()).toEqual(['b', 'c']);
    fill();
    cache.invalidateSession(11);
    expect(kept()).toEqual(['a', 'c']);
    fill();
    cache.invalidateUser(1);
    expect(kept()).toEqual(['c']);
    fill();
    cache.invalidateAll();
    expect(kept()).toEqual([]);
  });
});
