import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { TargetMessage, TargetName } from './serve';

export type Stats = Extract<TargetMessage, { type: 'stats' }>;

export interface Target {
  name: TargetName;
  url: string;
  /** The target's process (its CPU is read from /proc). */
  pid: number;
  /** The target's counters; `reset` zeroes the statement count and the peak memory first. */
  stats(reset?: boolean): Promise<Stats>;
  stop(): Promise<void>;
}

/**
 * The Node flags `npm start` runs the server with (package.json), given to every target alike. A young
 * generation of 128 MB instead of 16: every scavenge copied about 5 MB of a page's rows and answer objects
 * that outlived it (they stay until the next full collection, whatever the request rate: measured with
 * --trace-gc-nvp at 1 and 16 connections; why, see Loaders.clear), so fewer scavenges cost less.
 * users(first: 50) > posts(first: 10): 32 → 64 MB, 460-483 → 492-519 req/s at 64 connections (3 alternating
 * runs); 64 → 128 MB, Node user CPU per request 1.17 → 1.04 ms at 64 connections and 1.12 → 1.06 ms at 16
 * (lower in all 13 alternating rounds), and `{ __typename }` the same (0.141 / 0.139 ms over 5 rounds), for
 * about 130 MB more peak resident memory (375 → 503 MB at 64 connections).
 */
export const NODE_FLAGS = ['--max-semi-space-size=128'];

/**
 * The benchmark's load comes from one loopback address, one client to the per-client limits (README,
 * "Security and limits"): every target is told, through the documented variables, to take all of it.
 */
export const BENCH_CLIENT_LIMITS = { CLIENT_MAX_REQUESTS: '1000000000', CLIENT_MAX_REQUESTS_IN_FLIGHT: '100000' };

/** Starts a target in a child process (see serve.ts) and waits until it listens; `profileDir` turns on --cpu-prof. */
export async function startTarget(name: TargetName, env: NodeJS.ProcessEnv, profileDir?: string): Promise<Target> {
  const profiling = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=${name}.cpuprofile`] : [];
  const execArgv = [...NODE_FLAGS, ...profiling];
  const child = fork(path.join(__dirname, 'serve.js'), [name], {
    env: { ...env, ...BENCH_CLIENT_LIMITS },
    execArgv,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ready = await nextMessage(child);
  if (ready.type !== 'ready') throw new Error(`${name} did not start`);
  // One question at a time: replies carry no id, so overlapping questions could take each other's answers.
  let queue: Promise<unknown> = Promise.resolve();
  return {
    name,
    url: ready.url,
    pid: child.pid!,
    stats(reset = false) {
      const answer = queue.then(() => {
        child.send(reset ? 'reset' : 'stats');
        return nextMessage(child) as Promise<Stats>;
      });
      queue = answer.catch(() => undefined);
      return answer;
    },
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.disconnect();
      }),
  };
}

function nextMessage(child: ChildProcess): Promise<TargetMessage> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`the target exited (${code})`));
    child.once('exit', onExit);
    child.once('message', (message) => {
      child.off('exit', onExit);
      resolve(message as TargetMessage);
    });
  });
}
