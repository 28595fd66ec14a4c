import { execFile } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { allowTraversal } from '../../db/embedded-postgres';
import { reapWhenGone } from './reaper';

const exec = promisify(execFile);

/** PostgreSQL and PgBouncer refuse to run as root: as root, the engines run as the `postgres` system user. */
const asRoot = process.getuid?.() === 0;
export const ENGINE_USER = 'postgres';

/** Runs an engine's command (as the postgres user when this process is root); fails with its output. */
export async function runEngine(command: string, args: string[]): Promise<string> {
  const [file, argv] = asRoot ? ['runuser', ['-u', ENGINE_USER, '--', command, ...args]] : [command, args];
  try {
    const { stdout } = await exec(file, argv, { timeout: 120_000 });
    return stdout;
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(' ')} failed: ${String(error)}\n${stdout ?? ''}${stderr ?? ''}`);
  }
}

/**
 * A temporary folder the engines' user owns (and may reach): every engine of a cluster keeps its files there,
 * and its pid file. Watched over: should this process end before removing it, its engines are ended too.
 */
export function engineFolder(label: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `content-api-${label}-`));
  if (asRoot) {
    allowTraversal(dir, () => {});
    fs.chmodSync(dir, 0o755);
    fs.chownSync(dir, uidOf(ENGINE_USER), uidOf(ENGINE_USER, 'group'));
  }
  reapWhenGone(dir);
  return dir;
}

/** Writes a file the engines' user owns. */
export function writeEngineFile(file: string, text: string, mode = 0o600): void {
  fs.writeFileSync(file, text, { mode });
  if (asRoot) fs.chownSync(file, uidOf(ENGINE_USER), uidOf(ENGINE_USER, 'group'));
}

/** Gives a tree to the engines' user (a copied data folder). */
export async function ownTree(dir: string): Promise<void> {
  if (asRoot) await exec('chown', ['-R', `${ENGINE_USER}:${ENGINE_USER}`, dir]);
}

function uidOf(user: string, which: 'user' | 'group' = 'user'): number {
  const line = fs
    .readFileSync(which === 'user' ? '/etc/passwd' : '/etc/group', 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith(`${user}:`));
  if (!line) throw new Error(`no ${which} ${user} on this machine`);
  return Number(line.split(':')[2]);
}

/** The process id a pid file names (its first line), or undefined when there is none. */
export function pidIn(pidFile: string): number | undefined {
  try {
    const pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]!.trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Ends a process by its id from a pid file, and waits until it is gone. */
export async function endByPidFile(pidFile: string, signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 15_000): Promise<void> {
  const pid = pidIn(pidFile);
  if (pid !== undefined) await endProcess(pid, signal, timeoutMs);
}

/** Sends `signal` to `pid` and waits for it to exit; SIGKILL after `timeoutMs`. */
export async function endProcess(pid: number, signal: NodeJS.Signals, timeoutMs = 15_000): Promise<void> {
  const alive = () => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  if (!alive()) return;
  process.kill(pid, signal);
  const deadline = Date.now() + timeoutMs;
  while (alive()) {
    if (Date.now() > deadline) process.kill(pid, 'SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Resolves once something accepts TCP connections on 127.0.0.1:`port` (a daemon that forked before listening). */
export async function acceptsConnections(port: number, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const accepted = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => resolve(true)).once('error', () => resolve(false));
      socket.once('close', () => socket.destroy());
      setTimeout(() => socket.destroy(), 1000).unref();
    }).finally(() => undefined);
    if (accepted) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on 127.0.0.1:${port}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
