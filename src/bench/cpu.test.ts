import pg from 'pg';
import { QueryTypes } from 'sequelize';
import { testDatabaseUrl, testDb } from '../test/database';
import { parentOf, postgresCpuMs, processCpuMs } from './cpu';

const cpuMsSince = (start: NodeJS.CpuUsage) => {
  const { user, system } = process.cpuUsage(start);
  return (user + system) / 1000;
};

const BUSY = 'SELECT count(*) FROM generate_series(1, 4000000)';

describe('CPU from /proc', () => {
  it("counts this process's work", () => {
    const before = processCpuMs(process.pid)!;
    const started = process.cpuUsage();
    // busy on purpose, until Node itself counts 150 ms of CPU (not of the clock: the machine may be busy)
    while (cpuMsSince(started) < 150);
    const used = cpuMsSince(started);
    // /proc counts in clock ticks (10 ms), Node in microseconds
    expect(Math.abs(processCpuMs(process.pid)! - before - used)).toBeLessThanOrEqual(25);
  });

  it('counts the work of backends that came and went, through the postmaster', async () => {
    const [row] = await testDb().sequelize.query<{ pid: number }>('SELECT pg_backend_pid() AS pid', { type: QueryTypes.SELECT });
    const postmaster = parentOf(row!.pid)!;
    expect(postmaster).toBeGreaterThan(1);
    const client = new pg.Client({ connectionString: testDatabaseUrl() });
    await client.connect();
    const backend = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    const before = postgresCpuMs(postmaster)!;
    const started = processCpuMs(backend)!;
    await client.query(BUSY);
    const spent = processCpuMs(backend)! - started;
    await client.end();
    // the backend is gone: its time now counts through the postmaster's reaped children
    for (let i = 0; i < 50 && processCpuMs(backend) !== null; i += 1) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(processCpuMs(backend)).toBeNull();
    expect(spent).toBeGreaterThan(50);
    expect(postgresCpuMs(postmaster)! - before).toBeGreaterThanOrEqual(spent - 20);
  });

  it('knows nothing of processes that are not here', () => {
    expect(processCpuMs(2 ** 30)).toBeNull();
    expect(postgresCpuMs(2 ** 30)).toBeNull();
  });
});
