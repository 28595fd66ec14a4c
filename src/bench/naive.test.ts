import { aUser, postgresNotes } from '../test/factories';
import { useServer } from '../test/server';
import { postId } from '../test/ids';
import { naiveResolvers } from './naive';
import { OPERATIONS, type OperationKey } from './operations';

const api = useServer();
const naive = useServer({ resolvers: naiveResolvers });

describe('the naive baseline', () => {
  it('answers every read operation as the server does', async () => {
    const authors = [await aUser({ name: 'Ann' }), await aUser({ name: 'Bob' })];
    const posts = await postgresNotes(authors, 12);
    const variables = { id: postId(posts[3]!), text: 'postgres' };
    const reads = (Object.keys(OPERATIONS) as OperationKey[]).filter((key) => key !== 'createPost');
    for (const key of reads) {
      const { query } = OPERATIONS[key];
      const served = await api.gql(query, variables);
      expect(served.errors).toBeUndefined();
      expect(await naive.gql(query, variables)).toEqual(served);
    }
  });
});
