import { performance } from 'node:perf_hooks';
import { User } from '../db/models/user';
import { DEFAULT_LIMITS } from '../limits';
import { hashPassword } from '../services/password';
import { aUser, PASSWORD } from '../test/factories';
import { sendGraphQL, useServer } from '../test/server';

// Default limits but for the sign-ups per client: the flood comes from a new (forwarded) address each time.
const api = useServer({ trustProxy: 'loopback', limits: { signUpsPerClient: 1000 } });

const FLOOD_MS = 10_000;
const FLOODERS = 40;
const ALIASES = 15;

const LOG_IN = `mutation { logIn(input: { email: "ada@example.com", password: "${PASSWORD}" }) { token } }`;

describe('a flood of signUps', () => {
  it('leaves logIn waiting no longer than the password queue allows (or refused at once, retryably), never a 500', async () => {
    await aUser({ email: 'ada@example.com' });
    const started = performance.now();
    // What one hash costs while the flood runs (this process is the server's; outside its queue).
    const hashes: number[] = [];
    const sampling = async () => {
      while (performance.now() - started < FLOOD_MS) {
        const sent = performance.now();
        await hashPassword('one hash, to know what it costs');
        hashes.push(performance.now() - sent);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    };

    let address = 0;
    const flooded = { documents: 0, refused: 0 };
    const flooder = async () => {
      while (performance.now() - started < FLOOD_MS) {
        address += 1;
        const aliases = Array.from(
          { length: ALIASES },
          (_, i) => `a${i}: signUp(input: { email: "f${address}-${i}@example.com", password: "${PASSWORD}" }) { token }`,
        );
        const { status } = await sendGraphQL(
          api.url,
          { query: `mutation { ${aliases.join(' ')} }` },
          { headers: { 'x-forwarded-for': `10.${address >> 8}.${address & 255}.1` } },
        );
        expect([200, 503]).toContain(status);
        flooded.documents += 1;
        if (status === 503) flooded.refused += 1;
      }
    };
    const logIns: { ms: number; code: unknown }[] = [];
    const signingIn = async () => {
      while (performance.now() - started < FLOOD_MS) {
        const sent = performance.now();
        const { status, answer } = await sendGraphQL(api.url, { query: LOG_IN });
        expect([200, 503]).toContain(status);
        logIns.push({ ms: performance.now() - sent, code: answer.errors?.[0]?.extensions.code ?? 'OK' });
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    const reads: number[] = [];
    const reading = async () => {
      while (performance.now() - started < FLOOD_MS) {
        const sent = performance.now();
        const { status } = await sendGraphQL(api.url, { query: '{ posts(first: 5) { nodes { id title author { name } } } }' });
        expect(status).toBe(200);
        reads.push(performance.now() - sent);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    await Promise.all([...Array.from({ length: FLOODERS }, flooder), signingIn(), reading(), sampling()]);
    const sortedReads = reads.sort((a, b) => a - b);

    const accounts = (await User.count()) - 1;
    const worst = Math.max(...logIns.map((l) => l.ms));
    const passed = logIns.filter((l) => l.code === 'OK').length;
    // A logIn waits for at most the queue's hashes (run so many at a time), then its own; plus its SQL.
    const hashMs = Math.max(...hashes);
    const { passwordHashQueue: waiting, passwordHashConcurrency: running } = DEFAULT_LIMITS;
    const bound = (waiting / running + 1) * hashMs + 1000;
    console.log(
      `one hash during the flood: up to ${hashMs.toFixed(0)} ms; flood: ${flooded.documents} documents, ${accounts} accounts, ${flooded.refused} documents refused (503); ` +
        `logIn: ${passed}/${logIns.length} passed, the rest SERVICE_UNAVAILABLE; slowest answer ${worst.toFixed(0)} ms (bound ${bound.toFixed(0)} ms); ` +
        `reads: ${reads.length}, median ${sortedReads[reads.length >> 1]!.toFixed(0)} ms, slowest ${sortedReads.at(-1)!.toFixed(0)} ms`,
    );
    expect(logIns.every((l) => l.code === 'OK' || l.code === 'SERVICE_UNAVAILABLE')).toBe(true);
    expect(worst).toBeLessThan(bound);
    expect(flooded.refused).toBeGreaterThan(0);
  }, 170_000);
});
