import fs from 'node:fs';
import path from 'node:path';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { packageRoot } from '../config';

/** The contract: schema.graphql at the package root is the only place types are defined. */
export const typeDefs = fs.readFileSync(path.join(packageRoot, 'schema.graphql'), 'utf8');

export type Resolvers = Parameters<typeof makeExecutableSchema>[0]['resolvers'];

/** The contract with its resolvers (as Apollo would build it: a resolver the schema lacks fails the start). */
export function executableSchema(resolvers: Resolvers) {
  return makeExecutableSchema({ typeDefs, resolvers });
}
