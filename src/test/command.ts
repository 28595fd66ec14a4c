import { spawn } from 'node:child_process';
import { packageRoot } from '../config';

export interface CommandResult {
  code: number | null;
  /** stdout and stderr, interleaved as they came. */
  output: string;
}

/** Runs a command to its end (in the package root unless `cwd`), feeding it `input` on stdin. */
export function runCommand(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {},
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd ?? packageRoot, env: options.env ?? process.env });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
    child.stdin.end(options.input ?? '');
  });
}
