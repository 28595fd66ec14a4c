import fs from 'node:fs';
import path from 'node:path';
import { fixtureJsonSchema } from './format';

/** fixtures.schema.json, as written out from format.ts (`npx ts-node src/testkit/write-schema.ts`; a test keeps them in step). */
export const SCHEMA_FILE = path.join(__dirname, 'fixtures.schema.json');

export const schemaText = () => `${JSON.stringify(fixtureJsonSchema(), null, 2)}\n`;

if (require.main === module) fs.writeFileSync(SCHEMA_FILE, schemaText());
