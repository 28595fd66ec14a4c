import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { packageRoot } from '../../config';

/** Where relay.config.json has relay-compiler write its artifacts (outside the sources: nothing to lint or commit). */
export const ARTIFACTS = path.join(packageRoot, 'node_modules', '.cache', 'relay-artifacts');

/** Runs relay-compiler (the native binary its npm package ships) over the documents of this folder. */
export async function compileRelayDocuments(): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const compiler = path.join(packageRoot, 'node_modules', '.bin', 'relay-compiler');
  const { stdout, stderr } = await promisify(execFile)(compiler, ['relay.config.json'], { cwd: __dirname });
  return stdout + stderr;
}

/** An artifact relay-compiler wrote, by the name of its operation or fragment. */
export function artifact<T>(name: string): T {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- written by the compiler at test time, so not importable statically
  return (require(path.join(ARTIFACTS, `${name}.graphql.ts`)) as { default: T }).default;
}
