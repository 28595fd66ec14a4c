import { randomUUID } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { DEFAULT_LIMITS } from '../limits';
import { sendGraphQL, useServer } from '../test/server';

// The server runs in this process: its heap is this heap. A full collection before each reading leaves
// only what is still held (V8's flag, then the gc function of a fresh context).
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

const api = useServer();

const MB = 1024 * 1024;
const LONG_DOCUMENTS = 20_000;
const SMALL_DOCUMENTS = 10_000;
const AT_ONCE = 8;

/** Mostly comment, just under the length limit, a new random start each time: the attack of a script. */
const longDocument = () => {
  const start = `{ viewer { id } } # ${randomUUID()} `;
  return start + 'x'.repeat(DEFAULT_LIMITS.maxDocumentLength - start.length);
};
/** A short real operation, distinct each time: parsed, validated and compiled by graphql-jit. */
const smallDocument = (i: number) => `query Q${i} { viewer { id name posts(first: ${(i % 100) + 1}) { totalCount } } }`;

function heapUsed(): number {
  collectGarbage();
  collectGarbage();
  return process.memoryUsage().heapUsed;
}

/** Sends `count` documents, `AT_ONCE` at a time; every one must be answered without errors. */
async function send(count: number, document: (i: number) => string): Promise<void> {
  let next = 0;
  const failures: string[] = [];
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const { status, answer } = await sendGraphQL(api.url, { query: document(i) });
      if (status !== 200 || answer.errors) failures.push(`${status} ${JSON.stringify(answer.errors)}`);
    }
  };
  await Promise.all(Array.from({ length: AT_ONCE }, worker));
  expect(failures.slice(0, 3)).toEqual([]);
}

describe('a stream of distinct documents', () => {
  it(`keeps the heap flat: ${LONG_DOCUMENTS} just under the length limit, then ${SMALL_DOCUMENTS} small ones`, async () => {
    await send(500, smallDocument); // Apollo, graphql-jit and the connections warmed up
    const before = heapUsed();
    const start = performance.now();
    await send(LONG_DOCUMENTS, longDocument);
    const afterLong = heapUsed();
    const middle = performance.now();
    await send(SMALL_DOCUMENTS, (i) => smallDocument(i + 1_000));
    const after = heapUsed();
    const [a, b, c] = [before, afterLong, after].map((bytes) => `${(bytes / MB).toFixed(1)} MB`);
    const [longSeconds, smallSeconds] = [middle - start, performance.now() - middle].map((ms) => (ms / 1000).toFixed(0));
    console.info(
      `heap after gc: before ${a}, after ${LONG_DOCUMENTS} long documents ${b} (${longSeconds} s), after ${SMALL_DOCUMENTS} small ones ${c} (${smallSeconds} s)`,
    );
    // The store holds at most GRAPHQL_DOCUMENT_CACHE_MB (64) by its estimate, which overstates comments.
    expect(afterLong - before).toBeLessThan(48 * MB);
    expect(after - before).toBeLessThan(DEFAULT_LIMITS.documentCacheMb * MB + 32 * MB);
  }, 300_000); // about two minutes on two cores
});
