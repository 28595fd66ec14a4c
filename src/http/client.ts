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
