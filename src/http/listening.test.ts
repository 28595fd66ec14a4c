import os from 'node:os';
import type { AddressInfo } from 'node:net';
import { testDatabaseUrl } from '../test/database';
import { spawnTypeScript } from '../test/spawn';
import { listeningOn, urlOf } from './listening';

const READY = 'GraphQL API ready at ';

describe('the start log', () => {
  it.each<[AddressInfo, string, string]>([
    [{ address: '127.0.0.1', family: 'IPv4', port: 4000 }, 'listening on 127.0.0.1:4000, loopback only', 'http://127.0.0.1:4000/graphql'],
    [{ address: '::1', family: 'IPv6', port: 4000 }, 'listening on [::1]:4000, loopback only', 'http://[::1]:4000/graphql'],
    [{ address: '::', family: 'IPv6', port: 8080 }, 'listening on every interface ([::]:8080)', 'http://localhost:8080/graphql'],
    [{ address: '0.0.0.0', family: 'IPv4', port: 80 }, 'listening on every interface (0.0.0.0:80)', 'http://localhost:80/graphql'],
    [{ address: '192.0.2.7', family: 'IPv4', port: 4000 }, 'listening on 192.0.2.7:4000', 'http://192.0.2.7:4000/graphql'],
  ])('names the address and port bound: %o', (address, words, url) => {
    expect(listeningOn(address)).toContain(words);
    expect(urlOf(address, '/graphql')).toBe(url);
  });

  it('in development with no HOST, says the server listens on 127.0.0.1 only, where it answers, and other interfaces do not', async () => {
    const spawned = spawnTypeScript('src/index.ts', [], {
      HOST: undefined,
      PORT: '0',
      NODE_ENV: 'development',
      LOG_LEVEL: 'info',
      DATABASE_URL: testDatabaseUrl(),
    });
    try {
      const ready = (JSON.parse(await spawned.lineMatching((line) => line.includes(READY))) as { msg: string }).msg;
      const url = new URL(ready.slice(READY.length));
      expect(url.hostname).toBe('127.0.0.1');
      const messages = spawned.lines.map((line) => (JSON.parse(line) as { msg: string }).msg);
      expect(messages).toContain(`listening on 127.0.0.1:${url.port}, loopback only: other machines cannot connect (HOST changes it)`);
      expect((await fetch(new URL('/healthz', url))).status).toBe(200);
      const elsewhere = Object.values(os.networkInterfaces())
        .flat()
        .filter((nic) => nic && !nic.internal && nic.family === 'IPv4')
        .map((nic) => nic!.address);
      for (const address of elsewhere) {
        await expect(fetch(`http://${address}:${url.port}/healthz`)).rejects.toThrow();
      }
    } finally {
      spawned.child.kill('SIGTERM');
      await spawned.exit;
    }
  });
});
