import { aUser, postgresNotes } from '../test/factories';
import { testDatabaseUrl } from '../test/database';
import { sendGraphQL, useServer } from '../test/server';
import { postId } from '../test/ids';
import { FLOORS, startFloor } from './floor';
import { OPERATIONS, type OperationKey } from './operations';

const api = useServer();

describe('the floors', () => {
  it('answer every read operation as the server does, in one statement at most', async () => {
    const authors = [await aUser({ name: 'Ann' }), await aUser({ name: null })];
    const posts = await postgresNotes(authors, 30);
    let statements = 0;
    const floor = await startFloor(testDatabaseUrl(), 2, () => (statements += 1));
    try {
      const variables = { id: postId(posts[3]!), text: 'postgres' };
      for (const key of Object.keys(FLOORS) as OperationKey[]) {
        const { query } = OPERATIONS[key];
        const served = await api.gql(query, variables);
        expect(served.errors).toBeUndefined();
        statements = 0;
        const floored = await sendGraphQL(floor.url, { query, variables });
        expect(floored.status).toBe(200);
        expect(floored.answer.data).toEqual(served.data);
        expect(statements).toBe(key === 'typename' ? 0 : 1);
      }
    } finally {
      await floor.stop();
    }
  });
});
