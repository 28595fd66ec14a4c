import { readFileSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../config';

/** The files each README section shows; the tests of this folder use each as it stands. */
const SECTIONS = {
  'Using it from a frontend': ['apollo.ts', 'urql.ts', 'graphcache.ts', 'relay/environment.ts', 'relay/feed.ts', 'fetch.ts'],
  'Live data': ['apollo-live.ts', 'urql-live.ts', 'relay/live.ts'],
};

function section(title: string): string {
  const readme = readFileSync(path.join(packageRoot, 'README.md'), 'utf8');
  const start = readme.indexOf(`\n## ${title}\n`);
  expect(start).toBeGreaterThan(0);
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end);
}

describe("the README's client snippets", () => {
  it.each(Object.entries(SECTIONS))('of "%s" are the files of src/clients exactly, every one of them and nothing else', (title, files) => {
    const blocks = [...section(title).matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1]!);
    expect(blocks).toEqual(files.map((file) => readFileSync(path.join(__dirname, file), 'utf8')));
  });

  it('say that clientMutationId is not needed', () => {
    expect(section('Using it from a frontend')).toMatch(/`clientMutationId` is not needed/);
  });
});
