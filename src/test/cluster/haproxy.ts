import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../../db/embedded-postgres';
import { acceptsConnections, endByPidFile, pidIn } from './run';

const exec = promisify(execFile);

/** HAProxy balancing HTTP and WebSocket traffic over the API instances, health-checked by /readyz. */
export interface Balancer {
  /** The API's URL through the balancer (…/graphql). */
  url: string;
  pid(): number | undefined;
  /** UP or DOWN (or a transition such as "UP 1/2") for each instance, from the stats listener. */
  states(): Promise<Record<string, string>>;
  stop(): Promise<void>;
}

/**
 * The balancer's own answers (no instance up, an instance died mid-request, a timeout) in the API's error
 * shape, so a client reads them as it reads the API's: JSON, a code, and Retry-After where retrying helps.
 */
export function balancerErrorPage(status: 502 | 503 | 504): string {
  const reason = { 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout' }[status];
  const body = JSON.stringify({
    errors: [{ message: 'no API instance could answer; try again shortly', extensions: { code: 'SERVICE_UNAVAILABLE' } }],
  });
  return [
    `HTTP/1.1 ${status} ${reason}`,
    'Content-Type: application/json; charset=utf-8',
    'Cache-Control: no-store',
    'Retry-After: 1',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
    '',
    body,
  ].join('\r\n');
}

/** Starts Debian's `haproxy` in front of `instances` (ports of API instances on 127.0.0.1). */
export async function startBalancer(instances: readonly number[], folder: string): Promise<Balancer> {
  const [port, statsPort] = [await freePort(), await freePort()];
  const file = (name: string) => path.join(folder, name);
  for (const status of [502, 503, 504] as const) fs.writeFileSync(file(`${status}.http`), balancerErrorPage(status));
  fs.writeFileSync(
    file('haproxy.cfg'),
    [
      'global',
      '  maxconn 4000',
      'defaults',
      '  mode http',
      '  timeout connect 2s',
      '  timeout client 30s',
      '  timeout server 30s',
      // A loaded instance may take a moment to answer /readyz: too short a bound takes every instance out at once.
      '  timeout check 2s',
      // A WebSocket (live data) may stay open long after its upgrade.
      '  timeout tunnel 1h',
      // A request that could not reach an instance (refused connection) goes to another one.
      '  option redispatch',
      '  retries 2',
      ...[502, 503, 504].map((status) => `  errorfile ${status} ${file(`${status}.http`)}`),
      'frontend api',
      `  bind 127.0.0.1:${port}`,
      '  default_backend instances',
      'backend instances',
      '  balance roundrobin',
      '  option httpchk GET /readyz',
      '  http-check expect status 200',
      '  default-server inter 1s fall 2 rise 2',
      ...instances.map((instancePort, index) => `  server api${index + 1} 127.0.0.1:${instancePort} check`),
      'listen stats',
      `  bind 127.0.0.1:${statsPort}`,
      '  stats enable',
      '  stats uri /stats',
      '',
    ].join('\n'),
  );
  await exec('haproxy', ['-f', file('haproxy.cfg'), '-D', '-p', file('haproxy.pid')]);
  await acceptsConnections(port);
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    pid: () => pidIn(file('haproxy.pid')),
    async states() {
      const csv = await (await fetch(`http://127.0.0.1:${statsPort}/stats;csv`)).text();
      const rows = csv.split('\n').map((line) => line.split(','));
      return Object.fromEntries(rows.filter((row) => row[0] === 'instances' && row[1]?.startsWith('api')).map((row) => [row[1], row[17] ?? '']));
    },
    stop: () => endByPidFile(file('haproxy.pid'), 'SIGTERM'),
  };
}
