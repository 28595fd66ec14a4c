import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../config';
import { runCommand } from './command';

/** The test files a command runs, as jest lists them (`--listTests`), relative to the package root. */
async function listed(script: string): Promise<string[]> {
  return listedBy('npm', ['run', '--silent', script, '--', '--listTests']);
}

async function listedBy(command: string, args: string[]): Promise<string[]> {
  const result = await runCommand(command, args);
  expect(result.code).toBe(0);
  return result.output
    .split('\n')
    .filter((line) => line.endsWith('.test.ts'))
    .map((file) => path.relative(packageRoot, file))
    .sort();
}

const testFiles = ['src', 'migrations']
  .flatMap((dir) => readdirSync(path.join(packageRoot, dir), { recursive: true, encoding: 'utf8' }).map((file) => path.join(dir, file)))
  .filter((file) => file.endsWith('.test.ts'))
  .sort();

describe('the test commands', () => {
  it('run every test file, each under exactly one command, the browser tests under npm run test:browser', async () => {
    const [unit, browser, stress] = [await listed('test'), await listed('test:browser'), await listed('test:stress')];
    // `npm run test:cluster` builds first: its jest configuration is asked directly.
    const cluster = await listedBy('npx', ['jest', '-c', 'jest.cluster.config.ts', '--listTests']);
    expect([...unit, ...browser, ...stress, ...cluster].sort()).toEqual(testFiles);
    expect(cluster.length).toBeGreaterThanOrEqual(2);
    expect(browser).toEqual(testFiles.filter((file) => file.endsWith('.browser.test.ts')));
    expect(browser.length).toBeGreaterThanOrEqual(2);
  }, 60_000);

  it('are all run by CI', () => {
    const ci = readFileSync(path.join(packageRoot, '.ci', 'run'), 'utf8');
    for (const command of ['npm test', 'npm run test:browser', 'npm run test:stress', 'npm run test:cluster'])
      expect(ci).toMatch(new RegExp(`^${command}$`, 'm'));
  });
});
