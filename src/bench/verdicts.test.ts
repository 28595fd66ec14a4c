import { aMeasurement } from '../test/measurements';
import { sizeComparison, verdicts } from './verdicts';

describe('benchmark verdicts', () => {
  it('judge each target against the server measured in the same run, and say when one was not measured', () => {
    const lines = verdicts([
      aMeasurement('server', 'feed', 16, 500),
      aMeasurement('floor', 'feed', 16, 1000),
      aMeasurement('server', 'feed', 64, 400),
      aMeasurement('floor', 'feed', 64, 1000),
    ]);
    expect(lines).toContain('feed at 16 connections: 0.50× floor (target ≥ 0.45): met');
    expect(lines).toContain('feed at 64 connections: 0.40× floor (target ≥ 0.45): MISSED');
    expect(lines).toContain('feed at 16 connections: –× naive (target ≥ 1.5): not measured');
  });

  it('compare sizes by CPU per request where measured, else by requests per second', () => {
    const small = {
      size: { users: 10, posts: 100 },
      measurements: [aMeasurement('server', 'feed', 16, 500, [1, 1]), aMeasurement('server', 'search', 16, 500)],
    };
    const large = {
      size: { users: 100, posts: 1000 },
      measurements: [aMeasurement('server', 'feed', 16, 100, [1.5, 1.5]), aMeasurement('server', 'search', 16, 250)],
    };
    const table = sizeComparison(small, large);
    expect(table).toMatch(/\| feed \| 16 \| 500 \| 100 \| 2\.00 \| 3\.00 \| 1\.50× \| yes \|/);
    expect(table).toMatch(/\| search \| 16 \| 500 \| 250 \| – \| – \| 2\.00× \| NO \|/);
  });
});
