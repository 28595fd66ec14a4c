import { createServer, type RunningServer, type ServerDeps } from '../server';
import { testDb } from './database';

/** An answer's data as tests read it: by path, with `expect` checking the shape the query asked for. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each test names the shape in its query; typing every one adds nothing `expect` does not check
export type AnswerData = Record<string, any>;

/** The JSON body of a GraphQL answer. */
export interface GraphQLAnswer<Data = AnswerData> {
  data?: Data | null;
  errors?: {
    message: string;
    path?: (string | number)[];
    extensions: { code: string; fields?: { path: (string | number)[]; message: string }[]; [key: string]: unknown };
  }[];
}

export interface GraphQLResponse<Data = AnswerData> extends GraphQLAnswer<Data> {
  status: number;
}

/** POSTs one GraphQL request body over real HTTP to `url`; `token` becomes the bearer token. */
export async function sendGraphQL<Data = AnswerData>(
  url: string,
  body: object,
  { token, headers }: { token?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: Headers; answer: GraphQLAnswer<Data> }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }), ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, answer: (await response.json()) as GraphQLAnswer<Data> };
}

export interface TestClient {
  url: string;
  /** Sends one GraphQL operation over real HTTP; `token` becomes the bearer token. */
  gql<Data = AnswerData>(
    query: string,
    variables?: Record<string, unknown>,
    options?: { token?: string; headers?: Record<string, string> },
  ): Promise<GraphQLResponse<Data>>;
}

/**
 * Every request of the test suite comes from one loopback address, so to the per-client limits the whole
 * suite is one client, sending requests by the dozen in parallel (races, pools, loads). The tests of those
 * limits pass their own small values; the defaults (src/limits.ts) stay what production gets.
 */
export const TEST_CLIENT_LIMITS = { requestsPerClient: 1_000_000, requestsInFlightPerClient: 1000 } as const;

/** Starts the real server on a free loopback port for this test file; it stops after the file's tests. */
export function useServer(options: Partial<Omit<ServerDeps, 'sequelize'>> = {}): TestClient {
  let running: RunningServer | undefined;
  const client: TestClient = {
    url: '',
    async gql<Data>(query: string, variables?: Record<string, unknown>, options?: { token?: string; headers?: Record<string, string> }) {
      const { status, answer } = await sendGraphQL<Data>(client.url, { query, variables }, options);
      return { status, ...answer };
    },
  };
  beforeAll(async () => {
    const server = await createServer({
      sequelize: testDb().sequelize,
      production: false,
      tokenTtlSeconds: 3600,
      explorer: true,
      // Tests read each answer fresh: anonymous GET answers say no-cache (the GET tests pass their own value).
      getCacheMaxAgeSeconds: 0,
      ...options,
      limits: { ...TEST_CLIENT_LIMITS, ...options.limits },
    });
    running = await server.listen(0, '127.0.0.1');
    client.url = running.url;
  });
  afterAll(async () => {
    await running?.stop();
  });
  return client;
}

/** The SQL statements run while `work` runs. */
export async function statementsDuring(work: () => Promise<unknown>): Promise<string[]> {
  return (await statementsWithParametersDuring(work)).map((statement) => statement.sql);
}

/** The SQL statements run while `work` runs, each with its parameters (none: an empty list). */
export async function statementsWithParametersDuring(work: () => Promise<unknown>): Promise<{ sql: string; parameters: readonly unknown[] }[]> {
  const statements: { sql: string; parameters: readonly unknown[] }[] = [];
  const stop = testDb().onStatement((sql, parameters = []) => statements.push({ sql, parameters }));
  try {
    await work();
  } finally {
    stop();
  }
  return statements;
}
