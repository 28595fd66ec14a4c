import fs from 'node:fs';
import path from 'node:path';
import { migrations } from '../../migrations';
import { packageRoot } from '../config';
import { runCommand, useProjectCopy } from '../test/command';
import { withScratchDatabase } from '../test/scratch';
import { createMigration } from './create-migration';
import { migrationStatus, type MigrationModule } from './migrator';

describe('npm run migration:create', () => {
  // A copy of migrations/, so creating one leaves the project's list alone (other test files read it).
  const copy = useProjectCopy(['migrations']);
  let dir: string;
  beforeEach(() => (dir = path.join(copy(), 'migrations')));

  it('writes a timestamped migration from the template, listed last, which the migrator lists as pending', async () => {
    const result = await runCommand('npm', ['run', '--silent', 'migration:create', 'AddPostSummary', '--', '--dir', dir]);
    expect(result.code).toBe(0);
    const created = fs.readdirSync(dir).filter((file) => !fs.existsSync(path.join(packageRoot, 'migrations', file)));
    expect(created).toEqual([expect.stringMatching(/^\d{14}-add-post-summary\.ts$/)]);
    const name = created[0]!.replace(/\.ts$/, '');
    expect(fs.readFileSync(path.join(dir, created[0]!), 'utf8')).toContain('export const down: Migration');

    // eslint-disable-next-line @typescript-eslint/no-require-imports -- Jest's require compiles the new TypeScript file; import() would bypass its transform
    const list = (require(path.join(dir, 'index.ts')) as { migrations: MigrationModule[] }).migrations;
    expect(list.map((m) => m.name)).toEqual([...migrations.map((m) => m.name), name]);
    expect([...list.map((m) => m.name)].sort().at(-1)).toBe(name);
    expect(typeof list.at(-1)!.up).toBe('function');
    await withScratchDatabase(
      'create_migration',
      async (sequelize) => {
        expect(await migrationStatus(sequelize, list)).toEqual({ executed: migrations.map((m) => m.name), pending: [name] });
      },
      { migrated: true },
    );
  });

  it('names it after the newest migration when the clock is behind it', () => {
    const newest = migrations.at(-1)!.name.slice(0, 14);
    const file = createMigration('index posts by title', dir, new Date('2020-01-01T00:00:00Z'));
    expect(path.basename(file)).toBe(`${BigInt(newest) + 1n}-index-posts-by-title.ts`);
    expect(fs.readFileSync(path.join(dir, 'index.ts'), 'utf8')).toContain(`import * as indexPostsByTitle from './${path.basename(file, '.ts')}';`);
  });

  it('refuses a name with no letters or digits, writing nothing', async () => {
    const before = fs.readdirSync(dir);
    expect(await runCommand('npm', ['run', '--silent', 'migration:create', '--', '--dir', dir, '!!!'])).toMatchObject({
      code: 1,
      output: expect.stringContaining('usage: npm run migration:create NAME'),
    });
    expect(fs.readdirSync(dir)).toEqual(before);
  });
});
