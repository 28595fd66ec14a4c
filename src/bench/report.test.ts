import type { Measurement } from './load';
import { aMeasurement } from '../test/measurements';
import { markdown, type Report } from './report';

const cell = (operation: string, requestsPerSecond: number, cpu: [number, number]) => aMeasurement('server', operation, 16, requestsPerSecond, cpu);

const run = (machine: string, posts: number, feed: Measurement): Report => ({
  machine,
  date: '2026-11-29T00:00:00.000Z',
  seconds: 5,
  size: { users: posts / 20, posts },
  measurements: [feed],
  memory: null,
  otherSize: null,
});

describe('benchmark report', () => {
  it('compares with the run of the other size when it was measured on the same machine', () => {
    const large = run('2 × Fast CPU', 2_000_000, cell('feed', 250, [1.5, 1.5]));
    const report = { ...run('2 × Fast CPU', 200_000, cell('feed', 500, [1, 1])), otherSize: large };
    expect(markdown(report)).toMatch(/\| feed \| 16 \| 500 \| 250 \| 2\.00 \| 3\.00 \| 1\.50× \| yes \|/);
  });

  it('does not compare with a run of the other size measured on another machine, and says so', () => {
    // Another machine's speed would read as the data's growth (or shrinking).
    const large = run('2 × Slow CPU', 2_000_000, cell('feed', 100, [4, 4]));
    const report = { ...run('2 × Fast CPU', 200_000, cell('feed', 500, [1, 1])), otherSize: large };
    const text = markdown(report);
    expect(text).not.toMatch(/grows by/);
    expect(text).toContain('The 2000000-post run kept here was measured on another machine (2 × Slow CPU): not compared.');
    expect(text).toContain('npm run bench -- --posts 2000000 --users 100000');
  });
});
