import fs from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../config';

/** The contract: schema.graphql at the package root is the only place types are defined. */
export const typeDefs = fs.readFileSync(path.join(packageRoot, 'schema.graphql'), 'utf8');
