import fs from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { QueryTypes } from 'sequelize';
import { CLUSTER_DATABASE, startPrimary, startReplica, type PostgresNode } from '../test/cluster/postgres';
import { engineFolder } from '../test/cluster/run';
import { connectDatabase, type Database } from './database';

/** A real streaming replica whose replay is paused: its lag is measured, and past the bound reads leave it. */

let folder: string;
let primary: PostgresNode;
let replica: PostgresNode;
let db: Database;

beforeAll(async () => {
  folder = engineFolder('lag');
  primary = await startPrimary(folder);
  replica = await startReplica(primary, folder);
  await primary.query('CREATE TABLE notes (id serial PRIMARY KEY, body text)', CLUSTER_DATABASE);
  db = connectDatabase(primary.url(CLUSTER_DATABASE), { readUrls: [replica.url(CLUSTER_DATABASE)], replicaMaxLagSeconds: 1 });
}, 120_000);

afterAll(async () => {
  await db?.close();
  await replica?.stop();
  await primary?.stop();
  fs.rmSync(folder, { recursive: true, force: true });
});

const countNotes = async () => (await db.sequelize.query<{ count: number }>('SELECT count(*)::int AS count FROM notes', { type: QueryTypes.SELECT }))[0]!.count;

test('a replica that keeps up serves reads; one paused past the bound is taken out until it catches up', async () => {
  const lag = db.replicaLag!;
  await primary.query("INSERT INTO notes (body) VALUES ('first')", CLUSTER_DATABASE);
  await sleep(300);
  await lag.probe();
  expect(lag.current).toEqual([expect.objectContaining({ lagSeconds: 0, lagBytes: 0, reachable: true })]);
  expect(lag.inRotation).toBe(true);

  await replica.query('SELECT pg_wal_replay_pause()');
  await primary.query("INSERT INTO notes (body) VALUES ('while paused')", CLUSTER_DATABASE);
  await lag.probe();
  // Reads still go to the replica (not yet past the bound) and miss the new row: the lag is real.
  expect(await countNotes()).toBe(1);
  await sleep(1500);
  await lag.probe();
  expect(lag.current[0]!.lagSeconds).toBeGreaterThan(1);
  expect(lag.current[0]!.lagBytes).toBeGreaterThan(0);
  expect(lag.inRotation).toBe(false);
  // Out of the rotation: reads go to the primary, which has the row.
  expect(await countNotes()).toBe(2);

  await replica.query('SELECT pg_wal_replay_resume()');
  await sleep(300);
  await lag.probe();
  expect(lag.current[0]).toMatchObject({ lagSeconds: 0, lagBytes: 0 });
  expect(lag.inRotation).toBe(true);
  expect(await countNotes()).toBe(2);
});

test('a replica that does not answer is out of the rotation', async () => {
  await replica.stop();
  await db.replicaLag!.probe();
  expect(db.replicaLag!.current[0]!.reachable).toBe(false);
  expect(db.replicaLag!.inRotation).toBe(false);
  expect(await countNotes()).toBe(2);
});
