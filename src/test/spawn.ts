import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import readline from 'node:readline';
import { packageRoot } from '../config';
import { waitFor } from './wait';

export interface Spawned {
  child: ChildProcess;
  /** Lines written to stdout so far. */
  lines: string[];
  /** The exit code (null when ended by a signal). */
  exit: Promise<number | null>;
  /** Resolves with the first line `match` accepts; rejects if the process exits first. */
  lineMatching(match: (line: string) => boolean, timeoutMs?: number): Promise<string>;
}

/** Runs a TypeScript file of this package in a process of its own (ts-node, without type checking). */
export function spawnTypeScript(file: string, args: string[], env: Record<string, string | undefined> = {}): Spawned {
  return spawnProcess(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join(packageRoot, file), ...args], env, file);
}

/** Runs a command in the package's folder with `env` over the test's own, reading its stdout by lines. */
export function spawnProcess(command: string, args: string[], env: Record<string, string | undefined> = {}, name = command): Spawned {
  const child = spawn(command, args, {
    cwd: packageRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exit = once(child, 'exit').then(([code]) => code as number | null);
  const lines: string[] = [];
  const stderr: string[] = [];
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
  readline.createInterface({ input: child.stdout }).on('line', (line) => lines.push(line));
  return {
    child,
    lines,
    exit,
    async lineMatching(match, timeoutMs = 60_000) {
      const died = exit.then((code) => Promise.reject(new Error(`${name} exited (${code}): ${stderr.join('')}`)));
      died.catch(() => undefined);
      await Promise.race([waitFor(`a line from ${name}`, () => lines.some(match), timeoutMs), died]);
      return lines.find(match)!;
    },
  };
}
