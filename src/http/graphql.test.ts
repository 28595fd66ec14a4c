import type { Context } from '../context';
import { Query } from '../graphql/resolvers/query';
import { resolvers } from '../graphql/resolvers';
import { aPublishedPost, aUser } from '../test/factories';
import { userId } from '../test/ids';
import { statementsDuring, useServer } from '../test/server';

// The context each `user(id:)` was resolved with, to look at once its answer is out.
const contexts: Context[] = [];
const user = Query.user as Extract<NonNullable<typeof Query.user>, (...args: never[]) => unknown>;
const api = useServer({
  resolvers: {
    ...resolvers,
    Query: {
      ...Query,
      user: (parent, args, ctx, info) => {
        contexts.push(ctx);
        return user(parent, args, ctx, info);
      },
    },
  },
});

test("once a request's answer is out, its loaders keep none of the rows it read", async () => {
  const author = await aUser({ name: 'Let go' });
  await aPublishedPost(author);
  const { data } = await api.gql(`query ($id: ID!) { user(id: $id) { name posts(first: 5) { nodes { title author { name } } } } }`, {
    id: userId(author),
  });
  expect(data?.user).toMatchObject({ name: 'Let go', posts: { nodes: [{ author: { name: 'Let go' } }] } });
  expect(contexts).toHaveLength(1);
  // While the request ran, its author was known to its loaders (the posts' authors took no statement of their
  // own); once it is answered, reading the author again takes a statement.
  const again = await statementsDuring(async () => expect(await contexts[0]!.loaders.user(author.id, ['name'])).toMatchObject({ name: 'Let go' }));
  expect(again).toHaveLength(1);
});
