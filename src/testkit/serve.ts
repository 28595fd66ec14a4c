import fs from 'node:fs';
import pino from 'pino';
import { createLogger } from '../logger';
import { whenParentGone } from './parent';
import { parseServeArgs } from './options';
import { startTestMode, type TestMode } from './mode';

/**
 * The test mode's composition root: `npm run serve:test -- [flags]` or `node dist/src/testkit/serve.js [flags]`.
 * Its stdout carries one line, JSON, once it is ready ({"ready": true, "url": …}); its log goes to stderr.
 * It stops, its PostgreSQL and folder included, on SIGTERM/SIGINT and when the process that started it is gone.
 */
async function main(): Promise<void> {
  const options = parseServeArgs(process.argv.slice(2));
  const logger = createLogger({ level: process.env.LOG_LEVEL ?? 'info', destination: pino.destination(2) });
  let starting: Promise<TestMode> | undefined = undefined;
  let stopping = false;
  const stop = async (why: string) => {
    if (stopping) return;
    stopping = true;
    logger.info(`test mode stopping: ${why}`);
    setTimeout(() => process.exit(1), 15_000).unref(); // whatever hangs, the process still ends
    // A start under way is let finish (it cleans up after itself if it fails), then stopped.
    await starting?.then((mode) => mode.stop()).catch(() => undefined);
    if (options.portFile) fs.rmSync(options.portFile, { force: true });
    process.exit(0);
  };
  const handleSignals = () => {
    for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
      // The embedded PostgreSQL's package would stop the database at once (async-exit-hook); here the server goes first.
      process.removeAllListeners(signal);
      process.on(signal, () => void stop(signal));
    }
  };
  handleSignals();
  whenParentGone(() => void stop('the process that started it is gone'));

  starting = startTestMode({ ...options, env: process.env, logger });
  const mode = await starting;
  // Again: the embedded PostgreSQL's package, loaded during the start, has added its own handlers since.
  handleSignals();
  if (stopping) return;
  const base = mode.url.replace(/\/graphql$/, '');
  if (options.portFile) {
    // Written whole, then renamed: a harness polling the file never reads half of it.
    fs.writeFileSync(`${options.portFile}.tmp`, `${mode.port}\n`);
    fs.renameSync(`${options.portFile}.tmp`, options.portFile);
  }
  process.stdout.write(`${JSON.stringify({ ready: true, url: mode.url, port: mode.port, testkit: `${base}/testkit`, pid: process.pid })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`test mode could not start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
