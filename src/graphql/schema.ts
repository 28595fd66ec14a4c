import fs from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../config';

/** The contract: schema.graphql at the package root is the only place types are defined. */
export const typeDefs = fs.readFileSync(path.join(packageRoot, 'schema.graphql'), 'utf8');

/** The resolver map's type, generated from the schema (`npm run codegen`): one name for the whole app. */
export type { Resolvers } from './generated/resolvers';
