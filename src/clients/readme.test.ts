import { readFileSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../config';

/** The files the README's "Using it from a frontend" shows; the tests of this folder use each as it stands. */
const SNIPPETS = ['apollo.ts', 'urql.ts', 'graphcache.ts', 'relay/environment.ts', 'relay/feed.ts', 'fetch.ts'];

function frontendSection(): string {
  const readme = readFileSync(path.join(packageRoot, 'README.md'), 'utf8');
  const start = readme.indexOf('\n## Using it from a frontend\n');
  expect(start).toBeGreaterThan(0);
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end);
}

describe("the README's frontend snippets", () => {
  it('are the files of src/clients exactly, every one of them and nothing else', () => {
    const blocks = [...frontendSection().matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1]!);
    const files = SNIPPETS.map((file) => readFileSync(path.join(__dirname, file), 'utf8'));
    expect(blocks).toEqual(files);
  });

  it('say that clientMutationId is not needed', () => {
    expect(frontendSection()).toMatch(/`clientMutationId` is not needed/);
  });
});
