import { parse, type OperationDefinitionNode } from 'graphql';
import { takesRecursiveInput } from './executor';
import { useServer } from '../test/server';
import { resolvers } from './resolvers';
import { executableSchema } from './schema';

const schema = executableSchema(resolvers);
const api = useServer();
const operationOf = (query: string) => parse(query).definitions[0] as OperationDefinitionNode;

describe('compiled execution', () => {
  // graphql-jit spends seconds of CPU on such variables before it gives up: they go to graphql-js untried.
  it('tells the operations whose variables hold themselves (filters with AND/OR) from the others', () => {
    expect(takesRecursiveInput(schema, operationOf(`query ($where: PostWhere) { posts(where: $where) { totalCount } }`))).toBe(true);
    expect(takesRecursiveInput(schema, operationOf(`query ($n: Int, $w: UserWhere!) { users(first: $n, where: $w) { totalCount } }`))).toBe(true);
    expect(takesRecursiveInput(schema, operationOf(`query ($n: Int, $after: String) { posts(first: $n, after: $after) { totalCount } }`))).toBe(false);
    expect(takesRecursiveInput(schema, operationOf(`mutation ($input: CreatePostInput!) { createPost(input: $input) { post { id } } }`))).toBe(false);
    expect(takesRecursiveInput(schema, operationOf(`{ posts(where: { OR: [{ published: true }] }) { totalCount } }`))).toBe(false);
  });

  it('runs an operation whose non-null variables with defaults are left out, as graphql-js would', async () => {
    const res = await api.gql(
      `query ($n: Int! = 3, $id: ID! = "none", $ids: [ID!]! = []) { posts(first: $n) { totalCount } post(id: $id) { id } nodes(ids: $ids) { id } }`,
    );
    expect(res).toMatchObject({ status: 200, data: { posts: { totalCount: 0 }, post: null, nodes: [] } });
    expect(res.errors).toBeUndefined();
  });
});
