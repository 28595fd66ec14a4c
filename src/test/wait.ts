import { setTimeout as sleep } from 'node:timers/promises';

/** Polls `condition` until it holds; fails naming `what` after `timeoutMs` (a bound, not a measurement). */
export async function waitFor(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}
