import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Kind, OperationTypeNode, parse, print, type OperationDefinitionNode } from 'graphql';
import { packageRoot } from '../config';
import { aPublishedPost, aSignedInUser } from '../test/factories';
import { useServer } from '../test/server';

const api = useServer();

/** Every query operation in the README's graphql code blocks, one document each. */
function readmeQueries(): string[] {
  const readme = readFileSync(path.join(packageRoot, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)].map((match) => match[1]!);
  return blocks
    .flatMap((block) => parse(block).definitions)
    .filter(
      (definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION && definition.operation === OperationTypeNode.QUERY,
    )
    .map((operation) => print(operation));
}

describe('the README', () => {
  it('has queries that run without errors, signed in or not', async () => {
    const { user, token } = await aSignedInUser({ name: 'Ada' });
    await aPublishedPost(user, { title: 'GraphQL in practice' });
    const queries = readmeQueries();
    expect(queries.length).toBeGreaterThanOrEqual(4);
    for (const query of queries) {
      for (const options of [{}, { token }]) {
        const res = await api.gql(query, {}, options);
        expect({ query, errors: res.errors }).toEqual({ query, errors: undefined });
      }
    }
  });
});
