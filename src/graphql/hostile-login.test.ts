import { QueryTypes } from 'sequelize';
import { Session } from '../db/models/session';
import * as password from '../services/password';
import { testDb } from '../test/database';
import { aPublishedPost, aUser, PASSWORD } from '../test/factories';
import { useServer, type GraphQLResponse, type TestClient } from '../test/server';
import { dataSnapshot } from '../test/snapshot';

const api = useServer();
const sameDatabase = useServer(); // a second server instance, sharing the counters through PostgreSQL
const strict = useServer({ limits: { loginFailuresPerEmailAndClient: 3, loginFailuresPerClient: 3 } });
const behindProxy = useServer({ limits: { loginFailuresPerEmailAndClient: 3, loginFailuresPerClient: 3, loginFailuresPerEmail: 5 }, trustProxy: 'loopback' });
// 20 failures per client as by default, and room for 30 attempts on the rest; a busy machine may take
// seconds to hash 30 passwords, and these tests count attempts, not waits: no wait is refused.
const ROOM_TO_HASH = { passwordHashQueue: 64, passwordHashWaitMs: 600_000 };
const roomy = useServer({ limits: { loginFailuresPerClient: 20, loginFailuresPerEmailAndClient: 30, loginFailuresPerEmail: 30, ...ROOM_TO_HASH } });
const roomier = useServer({ limits: { loginFailuresPerClient: 40, ...ROOM_TO_HASH } });

const LOG_IN = `mutation ($email: EmailAddress!, $password: String!) { logIn(input: { email: $email, password: $password }) { token } }`;
const logIn = (client: TestClient, email: string, secret = 'wrong password', forwardedFor?: string) =>
  client.gql(LOG_IN, { email, password: secret }, forwardedFor ? { headers: { 'x-forwarded-for': forwardedFor } } : {});
const codeOf = (res: GraphQLResponse) => res.errors?.[0]?.extensions.code;

async function attempts(client: TestClient, n: number, email: string, forwardedFor?: (i: number) => string) {
  const codes: unknown[] = [];
  for (let i = 0; i < n; i += 1) codes.push(codeOf(await logIn(client, email, 'wrong password', forwardedFor?.(i))));
  return codes;
}

const fail = (n: number) => Array<string>(n).fill('UNAUTHENTICATED');
const refuse = (n: number) => Array<string>(n).fill('TOO_MANY_REQUESTS');

beforeEach(async () => {
  await aPublishedPost(await aUser({ email: 'ada@example.com' }));
});

describe('failed logIns per email address from one client', () => {
  it('refuses the 6th attempt within 15 minutes with TOO_MANY_REQUESTS and retryAfterSeconds, even with the right password', async () => {
    const before = await dataSnapshot();
    expect(await attempts(api, 5, 'ada@example.com')).toEqual(fail(5));
    const refused = await logIn(api, 'ADA@example.com', PASSWORD);
    expect(refused.status).toBe(200);
    expect(refused.data).toBeNull();
    expect(refused.errors![0]!.extensions).toEqual({ code: 'TOO_MANY_REQUESTS', retryAfterSeconds: expect.any(Number) });
    expect(refused.errors![0]!.extensions.retryAfterSeconds).toBeGreaterThan(0);
    expect(refused.errors![0]!.extensions.retryAfterSeconds).toBeLessThanOrEqual(900);
    expect(await dataSnapshot()).toEqual(before); // no session was opened
  });

  it('answers an unknown email exactly as a registered one, attempt for attempt', async () => {
    const registered: GraphQLResponse['errors'][] = [];
    const unknown: GraphQLResponse['errors'][] = [];
    for (let i = 0; i < 7; i += 1) {
      registered.push((await logIn(api, 'ada@example.com')).errors);
      unknown.push((await logIn(api, 'nobody@example.com')).errors);
    }
    expect(unknown.map((errors) => errors![0]!.extensions.code)).toEqual([...fail(5), ...refuse(2)]);
    const withoutWait = (all: typeof unknown) => JSON.stringify(all).replace(/\d+ seconds|"retryAfterSeconds":\d+/g, '');
    expect(withoutWait(unknown)).toEqual(withoutWait(registered));
  });

  it('checks a password hash for an unknown email too, as for a registered one', async () => {
    const verify = jest.spyOn(password, 'verifyPassword');
    try {
      await logIn(api, 'nobody@example.com');
      await logIn(api, 'ada@example.com');
      expect(verify).toHaveBeenCalledTimes(2);
      for (const [, hash] of verify.mock.calls) expect(hash).toMatch(/^scrypt\$/);
    } finally {
      verify.mockRestore();
    }
  });

  it('counts aliased logIns: a document of guesses stops at its first failure, so it is one attempt', async () => {
    const before = await dataSnapshot();
    const guesses = Array.from({ length: 8 }, (_, i) => `a${i}: logIn(input: { email: "ada@example.com", password: "guess ${i}" }) { token }`);
    const documents = [];
    for (let i = 0; i < 6; i += 1) documents.push((await api.gql(`mutation { ${guesses.join(' ')} }`)).errors);
    // logIn is non-null: its error ends the mutation, the later aliases never run
    expect(documents.map((errors) => errors!.map((e) => [e.path![0], e.extensions.code]))).toEqual([
      ...fail(5).map((code) => [['a0', code]]),
      [['a0', 'TOO_MANY_REQUESTS']],
    ]);
    expect(codeOf(await logIn(api, 'ada@example.com', PASSWORD))).toBe('TOO_MANY_REQUESTS');
    expect(await dataSnapshot()).toEqual(before);
  });

  it('counts attempts sent at the same time exactly', async () => {
    const results = await Promise.all(Array.from({ length: 10 }, () => logIn(api, 'ada@example.com')));
    expect(results.map(codeOf).sort()).toEqual([...refuse(5), ...fail(5)].sort());
  });

  it('is shared by every server instance on the database', async () => {
    expect([...(await attempts(api, 3, 'ada@example.com')), ...(await attempts(sameDatabase, 2, 'ada@example.com'))]).toEqual(fail(5));
    expect(codeOf(await logIn(api, 'ada@example.com'))).toBe('TOO_MANY_REQUESTS');
  });

  it('forgives earlier failures after a successful logIn', async () => {
    expect(await attempts(api, 4, 'ada@example.com')).toEqual(fail(4));
    expect((await logIn(api, 'ada@example.com', PASSWORD)).data!.logIn.token).toEqual(expect.any(String));
    expect(await attempts(api, 5, 'ada@example.com')).toEqual(fail(5));
    expect(await attempts(api, 1, 'ada@example.com')).toEqual(refuse(1));
  });

  it('allows attempts again once the window has passed', async () => {
    expect(await attempts(api, 6, 'ada@example.com')).toEqual([...fail(5), ...refuse(1)]);
    await testDb().sequelize.query(`UPDATE attempt_counts SET "windowEnd" = now() - interval '1 second'`);
    expect((await logIn(api, 'ada@example.com', PASSWORD)).data!.logIn.token).toEqual(expect.any(String));
    expect(await Session.count()).toBe(1);
  });

  it('stores digests, not email addresses or client addresses', async () => {
    await logIn(api, 'ada@example.com');
    const rows = await testDb().sequelize.query<{ key: string }>('SELECT key FROM attempt_counts', { type: QueryTypes.SELECT });
    expect(rows).toHaveLength(3); // the email from this client, the client, the email
    for (const { key } of rows) expect(key).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('failed logIns per client address', () => {
  it('refuses a client that tries many emails (limit 3 here, 20 by default)', async () => {
    const before = await dataSnapshot();
    const codes = [];
    for (const name of ['a', 'b', 'c', 'd']) codes.push(codeOf(await logIn(strict, `${name}@example.com`)));
    expect(codes).toEqual([...fail(3), ...refuse(1)]);
    expect(codeOf(await logIn(strict, 'ada@example.com', PASSWORD))).toBe('TOO_MANY_REQUESTS');
    expect(await dataSnapshot()).toEqual(before);
  });

  it('ignores X-Forwarded-For unless TRUST_PROXY says to believe it', async () => {
    const spoofed = (i: number) => `203.0.113.${i}`;
    const codes = [];
    for (let i = 0; i < 4; i += 1) codes.push(codeOf(await logIn(strict, `user${i}@example.com`, 'wrong password', spoofed(i))));
    expect(codes).toEqual([...fail(3), ...refuse(1)]);
  });

  it('behind a trusted proxy, counts each forwarded client address on its own', async () => {
    const forwarded = [];
    for (let i = 0; i < 4; i += 1) forwarded.push(codeOf(await logIn(behindProxy, `user${i}@example.com`, 'wrong password', `203.0.113.${i}`)));
    expect(forwarded).toEqual(fail(4));
    const same = [];
    for (let i = 0; i < 3; i += 1) same.push(codeOf(await logIn(behindProxy, `other${i}@example.com`, 'wrong password', '203.0.113.1')));
    expect(same).toEqual([...fail(2), ...refuse(1)]);
  });
});

/** The highest count of failures (15-minute windows): a client's, when every attempt was for another email. */
const highestCount = async () =>
  (
    await testDb().sequelize.query<{ attempts: number }>(
      `SELECT max(attempts) AS attempts FROM attempt_counts WHERE "windowEnd" <= now() + interval '15 minutes'`,
      { type: QueryTypes.SELECT },
    )
  )[0]!.attempts;

describe('successful logIns', () => {
  it('count against no one: the 21st and later correct logIns from one address in 15 minutes pass', async () => {
    const tokens = [];
    for (let i = 0; i < 25; i += 1) tokens.push((await logIn(api, 'ada@example.com', PASSWORD)).data?.logIn.token);
    expect(tokens).toEqual(Array(25).fill(expect.any(String)));
    expect(await Session.count()).toBe(25);
    expect(await highestCount()).toBe(0);
  });

  it('count against no one when aliased in one document either', async () => {
    const aliases = Array.from({ length: 5 }, (_, i) => `a${i}: logIn(input: { email: "ada@example.com", password: "${PASSWORD}" }) { token }`);
    const res = await strict.gql(`mutation { ${aliases.join(' ')} }`);
    expect(res.errors).toBeUndefined();
    expect(await Session.count()).toBe(5);
    expect(await attempts(strict, 3, 'bob@example.com')).toEqual(fail(3)); // the client's failures are all still there
  });
});

describe('attempts sent at the same time', () => {
  const wrongAtOnce = (client: TestClient, n: number) => Promise.all(Array.from({ length: n }, (_, i) => logIn(client, `user${i}@example.com`)));

  it('are counted exactly: 30 wrong passwords count 30', async () => {
    expect((await wrongAtOnce(roomier, 30)).map(codeOf)).toEqual(fail(30));
    expect(await highestCount()).toBe(30);
  });

  it('refuse exactly those over the limit, and the refused ones count against no one', async () => {
    const codes = (await wrongAtOnce(roomy, 30)).map(codeOf);
    expect(codes.filter((code) => code === 'UNAUTHENTICATED')).toHaveLength(20);
    expect(codes.filter((code) => code === 'TOO_MANY_REQUESTS')).toHaveLength(10);
    expect(await highestCount()).toBe(20);
    const counts = await testDb().sequelize.query<{ attempts: number }>('SELECT attempts FROM attempt_counts WHERE attempts = 1', { type: QueryTypes.SELECT });
    expect(counts).toHaveLength(2 * 20); // each failure's email, from this client and from everywhere; no refused one's
  });
});

describe('locking someone else out', () => {
  const from = (address: string) => (i: number) => (void i, address);

  it('is not possible with refused attempts: once a client is over its limit, its attempts count against no email', async () => {
    expect(await attempts(behindProxy, 3, 'other@example.com', from('203.0.113.1'))).toEqual(fail(3));
    expect(await attempts(behindProxy, 5, 'ada@example.com', from('203.0.113.1'))).toEqual(refuse(5));
    const owner = await logIn(behindProxy, 'ada@example.com', PASSWORD, '203.0.113.2');
    expect(owner.data!.logIn.token).toEqual(expect.any(String));
  });

  it('is not possible from one client: guessing an email from one address stops that address only', async () => {
    expect(await attempts(behindProxy, 4, 'ada@example.com', from('203.0.113.1'))).toEqual([...fail(3), ...refuse(1)]);
    expect(codeOf(await logIn(behindProxy, 'ada@example.com', PASSWORD, '203.0.113.1'))).toBe('TOO_MANY_REQUESTS');
    expect((await logIn(behindProxy, 'ada@example.com', PASSWORD, '203.0.113.2')).data!.logIn.token).toEqual(expect.any(String));
  });

  it('takes failures from many addresses: the per-email limit (5 here, 100 by default) then refuses every client for the window', async () => {
    const spread = (i: number) => `203.0.113.${i}`;
    expect(await attempts(behindProxy, 5, 'ada@example.com', spread)).toEqual(fail(5));
    expect(codeOf(await logIn(behindProxy, 'ada@example.com', PASSWORD, '198.51.100.1'))).toBe('TOO_MANY_REQUESTS');
  });

  it('with failures from many addresses leaves out the clients the email signed in from lately: its owner still signs in', async () => {
    expect((await logIn(behindProxy, 'ada@example.com', PASSWORD, '192.0.2.7')).data!.logIn.token).toEqual(expect.any(String));
    expect(await attempts(behindProxy, 6, 'ada@example.com', (i) => `203.0.113.${i}`)).toEqual([...fail(5), ...refuse(1)]);
    expect(codeOf(await logIn(behindProxy, 'ada@example.com', PASSWORD, '198.51.100.1'))).toBe('TOO_MANY_REQUESTS');
    expect((await logIn(behindProxy, 'ada@example.com', PASSWORD, '192.0.2.7')).data!.logIn.token).toEqual(expect.any(String));
    // still held to its own limits there
    expect(await attempts(behindProxy, 4, 'ada@example.com', from('192.0.2.7'))).toEqual([...fail(3), ...refuse(1)]);
  });
});
