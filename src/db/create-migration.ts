import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { packageRoot } from '../config';

const USAGE = 'usage: npm run migration:create NAME (e.g. add-post-summary) [-- --dir migrations]';
const MIGRATION_FILE = /^(\d{14})-.+\.ts$/;

const TEMPLATE = `import type { Migration } from '../src/db/migrator';

// Why the schema changes (the models in src/db/models must declare the same; a test compares them).
export const up: Migration = async ({ context: { queryInterface, DataTypes } }) => {
  // e.g. await queryInterface.addColumn('posts', 'summary', { type: DataTypes.TEXT, allowNull: true });
};

export const down: Migration = async ({ context: { queryInterface } }) => {
  // Undo exactly what up did, e.g. await queryInterface.removeColumn('posts', 'summary');
};
`;

/**
 * Writes migrations/<timestamp>-<name>.ts from the template and lists it last in migrations/index.ts (the
 * migrator runs that list, in its order). The timestamp is UTC now, or one past the newest migration when
 * the clock is behind it, so the new name always sorts last.
 */
export function createMigration(rawName: string, dir: string, now = new Date()): string {
  const slug = rawName
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
  if (!slug) throw new Error(USAGE);
  const newest = fs
    .readdirSync(dir)
    .map((file) => MIGRATION_FILE.exec(file)?.[1])
    .filter(Boolean)
    .sort()
    .at(-1);
  const clock = now.toISOString().replace(/\D/g, '').slice(0, 14);
  const stamp = newest && clock <= newest ? String(BigInt(newest) + 1n) : clock;
  const name = `${stamp}-${slug}`;

  const indexPath = path.join(dir, 'index.ts');
  const index = fs.readFileSync(indexPath, 'utf8');
  const lastImport = [...index.matchAll(/^import \* as \w+ from '.+';\n/gm)].at(-1);
  const listEnd = index.lastIndexOf('];');
  if (!lastImport || listEnd < 0) throw new Error(`${indexPath} does not look like a migration list`);
  const identifier = uniqueIdentifier(
    slug.replace(/-(\w)/g, (_, c: string) => c.toUpperCase()),
    index,
  );
  const afterImports = lastImport.index + lastImport[0].length;
  const updated =
    index.slice(0, afterImports) +
    `import * as ${identifier} from './${name}';\n` +
    index.slice(afterImports, listEnd) +
    `  { name: '${name}', ...${identifier} },\n` +
    index.slice(listEnd);

  const file = path.join(dir, `${name}.ts`);
  fs.writeFileSync(file, TEMPLATE, { flag: 'wx' });
  fs.writeFileSync(indexPath, updated);
  return file;
}

/** A valid identifier (`m` before a leading digit) that index.ts does not use yet. */
function uniqueIdentifier(base: string, source: string): string {
  const start = /^\d/.test(base) ? `m${base}` : base;
  let candidate = start;
  for (let n = 2; new RegExp(`\\b${candidate}\\b`).test(source); n += 1) candidate = `${start}${n}`;
  return candidate;
}

if (require.main === module) {
  try {
    const { values, positionals } = parseArgs({ options: { dir: { type: 'string' } }, allowPositionals: true });
    if (positionals.length !== 1) throw new Error(USAGE);
    const file = createMigration(positionals[0]!, path.resolve(values.dir ?? path.join(packageRoot, 'migrations')));
    console.log(`created ${path.relative(process.cwd(), file)} and listed it in index.ts; fill in up and down`);
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  }
}
