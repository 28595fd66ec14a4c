import { aPublishedPost, aUser } from '../test/factories';
import { useServer } from '../test/server';
import { postId } from '../test/ids';
import { naiveResolvers } from './naive';
import { OPERATIONS, type OperationKey } from './operations';

const api = useServer();
const naive = useServer({ resolvers: naiveResolvers });

describe('the naive baseline', () => {
  it('answers every read operation as the server does', async () => {
    const authors = [await aUser({ name: 'Ann' }), await aUser({ name: 'Bob' })];
    const posts = [];
    for (let i = 0; i < 12; i += 1)
      posts.push(
        await aPublishedPost(authors[i % 2]!, {
          title: `Postgres notes ${i}`,
          // Some rank higher in the full-text search than others, and the rest tie (broken by id).
          content: i % 3 === 0 ? 'more on postgres' : 'other notes',
          createdAt: new Date(Date.UTC(2026, 0, 1 + i)),
        }),
      );
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
