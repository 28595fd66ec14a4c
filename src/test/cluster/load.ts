/**
 * Mixed traffic through the balancer, the way a fleet of clients sends it: anonymous reads, signed-in
 * writes and sign-ins, each answer sorted into what a client can live with and what it cannot.
 */

export interface Account {
  email: string;
  password: string;
  token: string;
}

/** How an answer looked to its client. */
export type Outcome =
  | 'ok' // 200 with data and no errors
  | 'retryable' // 503 in JSON with a retryable code (the API's, or the balancer's own page)
  | 'cut' // the connection was reset, or the balancer answered 502: a request in flight on a dying instance
  | 'failed'; // anything else: what the cluster must never do

export interface Answer {
  kind: 'read' | 'write' | 'signIn';
  outcome: Outcome;
  startedAt: number;
  endedAt: number;
  detail?: string;
}

export interface Acknowledged {
  title: string;
  /** Sent: its commit came later. */
  startedAt: number;
  /** Answered: its commit came earlier. */
  endedAt: number;
}

export interface LoadReport {
  answers: Answer[];
  /** The posts whose creation was acknowledged (200, the post in the answer), with when their request was sent and answered. */
  acknowledged: Acknowledged[];
}

const READ = '{ posts(first: 20) { edges { node { id title author { name } } } } }';
const WRITE = 'mutation Write($input: CreatePostInput!) { createPost(input: $input) { post { id title } } }';
const SIGN_IN = 'mutation SignIn($input: LogInInput!) { logIn(input: $input) { token } }';
const SIGN_UP = 'mutation SignUp($input: SignUpInput!) { signUp(input: $input) { token } }';

export interface GraphQLAnswer {
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

/** Posts one GraphQL request; the status and parsed body, or the network error's name. */
export async function send(url: string, query: string, variables: object, token?: string): Promise<{ status: number; body?: GraphQLAnswer; error?: string }> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) },
      body: JSON.stringify({ query, variables }),
      signal: AbortSignal.timeout(20_000),
    });
    const text = await response.text();
    try {
      return { status: response.status, body: JSON.parse(text) as GraphQLAnswer };
    } catch {
      return { status: response.status, error: `not JSON: ${text.slice(0, 120)}` };
    }
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    return { status: 0, error: cause ?? String(error) };
  }
}

function outcomeOf(answer: Awaited<ReturnType<typeof send>>): Outcome {
  const codes = answer.body?.errors?.map((error) => error.extensions?.code) ?? [];
  if (answer.status === 200 && answer.body?.data && codes.length === 0) return 'ok';
  if (answer.status === 503 && codes.length > 0 && codes.every((code) => code === 'SERVICE_UNAVAILABLE' || code === 'TIMEOUT')) return 'retryable';
  if (answer.status === 0 || answer.status === 502) return 'cut';
  return 'failed';
}

/** Signs up `count` accounts through `url` (before the load: these must all succeed). */
export async function signUpAccounts(url: string, count: number, label: string): Promise<Account[]> {
  const accounts: Account[] = [];
  for (let i = 0; i < count; i += 1) {
    const account = { email: `${label}-${i}@example.com`, password: `password-${label}-${i}` };
    const answer = await send(url, SIGN_UP, { input: { ...account, name: `${label} ${i}` } });
    const token = (answer.body?.data?.signUp as { token?: string } | undefined)?.token;
    if (!token) throw new Error(`sign-up failed: ${answer.status} ${JSON.stringify(answer.body ?? answer.error)}`);
    accounts.push({ ...account, token });
  }
  return accounts;
}

/**
 * Runs `accounts.length` clients in parallel until `until` settles, each a loop of requests: mostly reads, a
 * write every 4th request, a sign-in every 25th (password hashing is the costliest thing the API does).
 */
export async function runLoad(url: string, accounts: Account[], until: Promise<unknown>): Promise<LoadReport> {
  const report: LoadReport = { answers: [], acknowledged: [] };
  let over = false;
  void until.finally(() => (over = true));
  await Promise.all(
    accounts.map(async (account, client) => {
      for (let n = 0; !over; n += 1) {
        const startedAt = Date.now();
        const title = `load ${client}-${n}`;
        const [kind, answer] =
          n % 25 === 24
            ? (['signIn', await send(url, SIGN_IN, { input: { email: account.email, password: account.password } })] as const)
            : n % 4 === 3
              ? (['write', await send(url, WRITE, { input: { title, content: `written by client ${client}`, published: true } }, account.token)] as const)
              : (['read', await send(url, READ, {})] as const);
        const outcome = outcomeOf(answer);
        if (kind === 'write' && outcome === 'ok') report.acknowledged.push({ title, startedAt, endedAt: Date.now() });
        const detail = outcome === 'ok' ? undefined : `${answer.status} ${answer.error ?? JSON.stringify(answer.body?.errors?.[0])}`;
        report.answers.push({ kind, outcome, startedAt, endedAt: Date.now(), detail });
        // A client told to retry waits a little, as Retry-After asks.
        if (outcome !== 'ok') await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }),
  );
  return report;
}

/** Answers other than ok, by second since `start`: when the trouble was. */
export function troubleBySecond(answers: readonly Answer[], start: number): Record<number, string> {
  const seconds: Record<number, Record<string, number>> = {};
  for (const { outcome, endedAt, detail } of answers) {
    if (outcome === 'ok') continue;
    const second = Math.floor((endedAt - start) / 1000);
    const what = `${outcome} ${detail?.replace(/"locations".*"extensions"/, '').slice(0, 90)}`;
    seconds[second] ??= {};
    seconds[second][what] = (seconds[second][what] ?? 0) + 1;
  }
  return Object.fromEntries(Object.entries(seconds).map(([second, counts]) => [second, JSON.stringify(counts)]));
}

/** Counts of each outcome, by kind of request. */
export function tally(answers: readonly Answer[]): Record<string, Record<Outcome, number>> {
  const counts: Record<string, Record<Outcome, number>> = {};
  for (const { kind, outcome } of answers) {
    counts[kind] ??= { ok: 0, retryable: 0, cut: 0, failed: 0 };
    counts[kind][outcome] += 1;
  }
  return counts;
}
