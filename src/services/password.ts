import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import pLimit from 'p-limit';
import { AppError } from '../errors';
import type { Limits } from '../limits';

// scrypt is memory-hard: N=2^15, r=8 needs 32 MiB per hash, which makes guessing on GPUs costly.
const PARAMS = { N: 2 ** 15, r: 8, p: 1 } as const;
const KEY_LENGTH = 64;

type HashingLimits = Pick<Limits, 'passwordHashConcurrency' | 'passwordHashQueue' | 'passwordHashWaitMs'>;

const busy = () => new AppError('SERVICE_UNAVAILABLE', 'the server is busy checking passwords; try again shortly', undefined, { retryAfterSeconds: 1 });

/**
 * scrypt runs on libuv's thread pool (4 threads by default), which file reads, DNS and compression share:
 * a burst of signUps or logIns must not take all of it, nor make everyone wait behind an endless queue.
 * One queue per process for each setting (a test server may set its own). The queue's length bounds the wait on
 * a normal machine; the wait bound covers a machine so loaded that even a short queue takes seconds.
 */
const queues = new Map<string, pLimit.Limit>();

function inTurn<T>(limits: HashingLimits, work: () => Promise<T>): Promise<T> {
  const { passwordHashConcurrency: running, passwordHashQueue: waiting } = limits;
  const setting = `${running}/${waiting}`;
  const queue = queues.get(setting) ?? queues.set(setting, pLimit(running)).get(setting)!;
  if (queue.activeCount + queue.pendingCount >= running + waiting) throw busy();
  const queuedAt = performance.now();
  return queue(() => {
    if (performance.now() - queuedAt > limits.passwordHashWaitMs) throw busy();
    return work();
  });
}

function derive(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFKC'), salt, KEY_LENGTH, { ...options, maxmem: 64 * 1024 * 1024 }, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

/** A self-describing hash: `scrypt$N$r$p$salt$key` (base64url); in turn with other hashes when `limits` are given. */
export async function hashPassword(password: string, limits?: HashingLimits): Promise<string> {
  const salt = randomBytes(16);
  const key = await (limits ? inTurn(limits, () => derive(password, salt, PARAMS)) : derive(password, salt, PARAMS));
  return ['scrypt', PARAMS.N, PARAMS.r, PARAMS.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** Whether `password` is the one `hash` was made of; SERVICE_UNAVAILABLE when too many hashes are waiting. */
export async function verifyPassword(password: string, hash: string, limits: HashingLimits): Promise<boolean> {
  const [scheme, n, r, p, salt, key] = hash.split('$');
  if (scheme !== 'scrypt' || !salt || !key) return false;
  const expected = Buffer.from(key, 'base64url');
  const actual = await inTurn(limits, () => derive(password, Buffer.from(salt, 'base64url'), { N: Number(n), r: Number(r), p: Number(p) }));
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** Hash of a random password: verifying against it costs what a real check costs, for unknown emails. */
export const decoyHash = hashPassword(randomBytes(16).toString('hex'));
