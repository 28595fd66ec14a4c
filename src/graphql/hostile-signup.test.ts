import { User } from '../db/models/user';
import { hashPassword } from '../services/password';
import { aSignedInUser, aUser, PASSWORD } from '../test/factories';
import { sendGraphQL, useServer, type GraphQLResponse } from '../test/server';

const strict = useServer({ limits: { signUpsPerClient: 3 } });
const behindProxy = useServer({ limits: { signUpsPerClient: 3 }, trustProxy: 'loopback' });
// One hash at a time and one waiting: a burst of signUps overflows the queue.
const TINY_QUEUE = { passwordHashConcurrency: 1, passwordHashQueue: 1, passwordHashWaitMs: 5_000 };
const tinyQueue = useServer({ limits: { ...TINY_QUEUE, signUpsPerClient: 100, loginFailuresPerEmailAndClient: 1 } });
// One hash at a time, room to wait, but hardly any time to: a machine too slow for its queue.
const IMPATIENT = { passwordHashConcurrency: 1, passwordHashQueue: 16, passwordHashWaitMs: 1 };
const impatient = useServer({ limits: { ...IMPATIENT, signUpsPerClient: 100 } });

const SIGN_UP = `mutation ($email: EmailAddress!) { signUp(input: { email: $email, password: "${PASSWORD}" }) { token } }`;
const UPDATE_VIEWER = `mutation ($input: UpdateViewerInput!) { updateViewer(input: $input) { user { id } } }`;
const codeOf = (res: GraphQLResponse) => res.errors?.[0]?.extensions.code;

describe('signUps per client address', () => {
  it('counts each aliased signUp: the 4th of a document is refused (limit 3 here, 20 an hour by default)', async () => {
    const aliases = Array.from({ length: 5 }, (_, i) => `a${i}: signUp(input: { email: "new${i}@example.com", password: "${PASSWORD}" }) { token }`);
    const res = await strict.gql(`mutation { ${aliases.join(' ')} }`);
    // signUp is non-null: the refused one ends the mutation, the later aliases never run
    expect(res.errors!.map((e) => [e.path![0], e.extensions.code])).toEqual([['a3', 'TOO_MANY_REQUESTS']]);
    expect(res.errors![0]!.extensions.retryAfterSeconds).toBeGreaterThan(3500);
    expect(res.errors![0]!.extensions.retryAfterSeconds).toBeLessThanOrEqual(3600);
    expect(await User.count()).toBe(3);
    expect(codeOf(await strict.gql(SIGN_UP, { email: 'later@example.com' }))).toBe('TOO_MANY_REQUESTS');
  });

  it('counts the ones that fail too, as each tells whether an email is registered', async () => {
    await aUser({ email: 'taken@example.com' });
    const codes = [];
    for (let i = 0; i < 4; i += 1) codes.push(codeOf(await strict.gql(SIGN_UP, { email: 'TAKEN@example.com' })));
    expect(codes).toEqual(['CONFLICT', 'CONFLICT', 'CONFLICT', 'TOO_MANY_REQUESTS']);
  });

  it('counts an updateViewer that sets an email, and not one that does not', async () => {
    const { token } = await aSignedInUser();
    const update = (input: object) => strict.gql(UPDATE_VIEWER, { input }, { token });
    expect(codeOf(await update({ name: 'A' }))).toBeUndefined();
    expect(codeOf(await update({ name: 'B' }))).toBeUndefined();
    expect(codeOf(await update({ email: 'one@example.com' }))).toBeUndefined();
    expect(codeOf(await update({ email: 'two@example.com' }))).toBeUndefined();
    expect(codeOf(await update({ email: 'three@example.com' }))).toBeUndefined();
    expect(codeOf(await update({ email: 'four@example.com' }))).toBe('TOO_MANY_REQUESTS');
    expect(codeOf(await update({ name: 'C' }))).toBeUndefined();
  });

  it('counts each client address on its own behind a trusted proxy', async () => {
    const from = (address: string, email: string) => behindProxy.gql(SIGN_UP, { email }, { headers: { 'x-forwarded-for': address } });
    for (let i = 0; i < 3; i += 1) expect(codeOf(await from('203.0.113.1', `a${i}@example.com`))).toBeUndefined();
    expect(codeOf(await from('203.0.113.1', 'a3@example.com'))).toBe('TOO_MANY_REQUESTS');
    expect(codeOf(await from('203.0.113.2', 'b0@example.com'))).toBeUndefined();
  });
});

describe('password hashing', () => {
  /**
   * Keeps the server's queue (one hash at a time: the server runs in this process) busy with a hash running and
   * one waiting until `work` is done: each filler queues its next hash in the same tick its last one ends.
   */
  async function whileQueueIsFull<T>(work: () => Promise<T>, limits = TINY_QUEUE): Promise<T> {
    let done = false;
    const fill = async () => {
      while (!done) await hashPassword('filler password', limits).catch(() => undefined);
    };
    const fillers = [fill(), fill()];
    try {
      return await work();
    } finally {
      done = true;
      await Promise.all(fillers);
    }
  }

  it('refuses a signUp when its queue is full with a retryable SERVICE_UNAVAILABLE (503, Retry-After), writing nothing', async () => {
    const { status, headers, answer } = await whileQueueIsFull(() => sendGraphQL(tinyQueue.url, { query: SIGN_UP, variables: { email: 'new@example.com' } }));
    expect(status).toBe(503);
    expect(headers.get('retry-after')).toBe('1');
    expect(answer.data).toBeNull();
    expect(answer.errors![0]!.extensions).toEqual({ code: 'SERVICE_UNAVAILABLE', retryable: true, retryAfterSeconds: 1 });
    expect(await User.count()).toBe(0);
    // Once the queue has room, the same signUp passes.
    expect((await tinyQueue.gql(SIGN_UP, { email: 'new@example.com' })).data!.signUp.token).toEqual(expect.any(String));
  });

  it('answers a burst of signUps with accounts or SERVICE_UNAVAILABLE, never a 500', async () => {
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) => sendGraphQL(tinyQueue.url, { query: SIGN_UP, variables: { email: `burst${i}@example.com` } })),
    );
    const signedUp = answers.filter((a) => a.status === 200 && a.answer.data?.signUp.token);
    const busy = answers.filter((a) => a.status === 503 && a.answer.errors?.[0]?.extensions.code === 'SERVICE_UNAVAILABLE');
    expect(signedUp.length + busy.length).toBe(12);
    expect(await User.count()).toBe(signedUp.length);
  });

  it('refuses a signUp that waited for its turn longer than the wait bound, writing nothing', async () => {
    // Behind a running hash and a waiting one, the signUp waits a whole hash (tens of ms): far past 1 ms.
    const { status, answer } = await whileQueueIsFull(
      () => sendGraphQL(impatient.url, { query: SIGN_UP, variables: { email: 'slow@example.com' } }),
      IMPATIENT,
    );
    expect(status).toBe(503);
    expect(answer.errors![0]!.extensions).toEqual({ code: 'SERVICE_UNAVAILABLE', retryable: true, retryAfterSeconds: 1 });
    expect(await User.count()).toBe(0);
  });

  it('gives back a logIn attempt refused for a full queue: it is no failure', async () => {
    await aUser({ email: 'ada@example.com' });
    const LOG_IN = `mutation ($password: String!) { logIn(input: { email: "ada@example.com", password: $password }) { token } }`;
    const refused = await whileQueueIsFull(() => tinyQueue.gql(LOG_IN, { password: 'wrong password' }));
    expect(codeOf(refused)).toBe('SERVICE_UNAVAILABLE');
    // One failure per email from this client is allowed here: the next attempt runs only if the refusal was given back.
    expect(codeOf(await tinyQueue.gql(LOG_IN, { password: 'wrong password' }))).toBe('UNAUTHENTICATED');
    expect(codeOf(await tinyQueue.gql(LOG_IN, { password: PASSWORD }))).toBe('TOO_MANY_REQUESTS');
  });
});
