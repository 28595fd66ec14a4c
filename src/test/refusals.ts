import { statementsDuring, type GraphQLResponse, type TestClient } from './server';
import { dataSnapshot } from './snapshot';

/** Sends an operation that must be refused before anything runs: no SQL at all, nothing written. */
export async function refusedBeforeRunning(client: TestClient, query: string, variables?: Record<string, unknown>) {
  const before = await dataSnapshot();
  let response!: GraphQLResponse;
  const sql = await statementsDuring(async () => {
    response = await client.gql(query, variables);
  });
  expect(sql).toEqual([]);
  expect(await dataSnapshot()).toEqual(before);
  expect(response.status).toBe(400);
  expect(response.data).toBeUndefined();
  return response.errors![0]!;
}
