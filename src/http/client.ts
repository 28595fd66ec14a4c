import ipaddr from 'ipaddr.js';
import { Lru } from '../lru';

/** TRUST_PROXY's value: no one (false), anyone (true), that many hops (a number), or addresses and subnets. */
export type TrustProxy = boolean | number | string;

/**
 * Fastify's `trustProxy` for TRUST_PROXY. Fastify takes booleans, lists and functions alike, but a bare
 * number of hops it treats as "trust no one": a number becomes the function that believes that many hops,
 * as Express's `trust proxy` did.
 */
export function fastifyTrustProxy(trust: TrustProxy): boolean | string | ((address: string, hop: number) => boolean) {
  return typeof trust === 'number' ? (_address, hop) => hop < trust : trust;
}

/**
 * The key every per-client limit counts under (requests, requests in flight, sign-in attempts): an IPv4
 * address as it is; an IPv6 address by its network of `ipv6Prefix` bits (a /64 is what one subscriber is
 * given, so one address each would hand them 2^64 fresh quotas). IPv4 clients of a dual-stack server arrive
 * as `::ffff:a.b.c.d`: they are unmapped first, or a /64 mask would put all of IPv4 in one bucket.
 */
export function clientKey(address: string | undefined, ipv6Prefix: number): string {
  if (address === undefined) return 'unknown'; // a socket already gone
  const remembered = `${ipv6Prefix} ${address}`;
  let key = keysByAddress.get(remembered);
  if (key === undefined) keysByAddress.set(remembered, (key = keyOfAddress(address, ipv6Prefix)));
  return key;
}

/**
 * Client keys by prefix and address, for the addresses seen last: parsing an address (ipaddr.js tries each
 * form an address may take) had cost more than the rest of a request's limits together, for `{ __typename }`
 * about a tenth of the server's Node CPU. Addresses beyond the limit are parsed again, as each was before.
 */
const keysByAddress = new Lru<string, string>(10_000);

function keyOfAddress(address: string, ipv6Prefix: number): string {
  if (!ipaddr.isValid(address)) return 'unknown';
  const ip = ipaddr.process(address); // unmaps IPv4-mapped IPv6
  if (ip.kind() === 'ipv4') return ip.toString();
  const bytes = ip.toByteArray().map((byte, i) => {
    const kept = Math.min(8, Math.max(0, ipv6Prefix - i * 8));
    return byte & (0xff << (8 - kept));
  });
  return `${ipaddr.fromByteArray(bytes).toString()}/${ipv6Prefix}`;
}

const keys = new WeakMap<object, string>();

/**
 * The client key of a request, worked out once: the per-client limits read it before the body, and the
 * GraphQL context (sign-in limits) reads it again for the same request.
 */
export function clientKeyOf(request: { ip: string | undefined }, ipv6Prefix: number): string {
  let key = keys.get(request);
  if (key === undefined) keys.set(request, (key = clientKey(request.ip, ipv6Prefix)));
  return key;
}
