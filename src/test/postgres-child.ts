import { startEmbeddedPostgres } from '../db/embedded-postgres';

/** `node -r ts-node/register/transpile-only src/test/postgres-child.ts DATA_DIR [PORT]`: see postgres-process.ts. */
async function main(dataDir: string, port: string | undefined): Promise<void> {
  const server = await startEmbeddedPostgres(dataDir, () => {}, port ? Number(port) : undefined);
  // The package's exit hook stops the server on SIGTERM too; this waits for it, then says so by exiting.
  process.removeAllListeners('SIGTERM');
  process.on('SIGTERM', () => void server.stop().then(() => process.exit(0)));
  console.log(JSON.stringify({ port: server.port }));
}

if (require.main === module) {
  main(process.argv[2]!, process.argv[3]).catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
