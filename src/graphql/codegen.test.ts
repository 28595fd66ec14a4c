import fs from 'node:fs';
import path from 'node:path';
import { runCommand, useProjectCopy } from '../test/command';

const GENERATED = 'src/graphql/generated/resolvers.ts';

describe('npm run codegen:check', () => {
  // What codegen reads and writes, so a test can change the schema without touching the project.
  const copy = useProjectCopy(['package.json', 'codegen.ts', 'schema.graphql', GENERATED]);

  it('passes: the committed resolver types are those schema.graphql generates', async () => {
    const result = await runCommand('npm', ['run', 'codegen:check']);
    expect(result).toMatchObject({ code: 0 });
  });

  it('fails, naming the stale file, when schema.graphql changed and the types were not regenerated', async () => {
    const dir = copy();
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
