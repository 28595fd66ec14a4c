import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { packageRoot } from '../config';
import { runCommand } from '../test/command';

const GENERATED = 'src/graphql/generated/resolvers.ts';

/** A copy of what codegen reads and writes, so a test can change the schema without touching the project. */
function scratchCopy(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'content-api-codegen-'));
  for (const file of ['package.json', 'codegen.ts', 'schema.graphql', GENERATED]) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.copyFileSync(path.join(packageRoot, file), path.join(dir, file));
  }
  fs.symlinkSync(path.join(packageRoot, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  return dir;
}

describe('npm run codegen:check', () => {
  let dir: string;
  beforeEach(() => (dir = scratchCopy()));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('passes: the committed resolver types are those schema.graphql generates', async () => {
    const result = await runCommand('npm', ['run', 'codegen:check']);
    expect(result).toMatchObject({ code: 0 });
  });

  it('fails, naming the stale file, when schema.graphql changed and the types were not regenerated', async () => {
    const schema = path.join(dir, 'schema.graphql');
    fs.writeFileSync(schema, fs.readFileSync(schema, 'utf8').replace('type Query {', 'type Query {\n  motto: String'));
    const before = fs.readFileSync(path.join(dir, GENERATED), 'utf8');

    const stale = await runCommand('npm', ['run', 'codegen:check'], { cwd: dir });
    expect(stale.code).not.toBe(0);
    expect(stale.output).toContain(GENERATED);
    expect(fs.readFileSync(path.join(dir, GENERATED), 'utf8')).toBe(before); // a check writes nothing

    expect(await runCommand('npm', ['run', 'codegen'], { cwd: dir })).toMatchObject({ code: 0 });
    expect(fs.readFileSync(path.join(dir, GENERATED), 'utf8')).toContain('motto?: Resolver<');
    expect(await runCommand('npm', ['run', 'codegen:check'], { cwd: dir })).toMatchObject({ code: 0 });
  });
});
