import type { KeyObject } from 'node:crypto';
import { createLocalJWKSet, createRemoteJWKSet, errors, type JWTVerifyGetKey } from 'jose';
import { logger } from '../logger';
import type { IssuerConfig } from './issuers';

/** The issuer's keys could not be fetched and none cached fits the token: the failure is ours, not the token's. */
export class KeysUnavailable extends Error {
  constructor(cause: unknown) {
    super('the identity provider keys could not be fetched', { cause });
    this.name = 'KeysUnavailable';
  }
}

/** How long one JWKS fetch may take. */
const FETCH_TIMEOUT_MS = 3_000;

/** Errors of fetching the JWKS (the network, a non-200 answer, a body that is no JWKS), as opposed to choosing a key in it. */
function isFetchFailure(error: unknown): boolean {
  if (!(error instanceof errors.JOSEError)) return true;
  return error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid || error.code === errors.JOSEError.code;
}

/**
 * Where the keys of an issuer's tokens come from. A static key is used as it is. A JWKS is jose's remote set:
 * cached by kid, fetched again after jwksMaxAgeSeconds or, at most once per jwksCooldownSeconds, for a kid it
 * does not hold. When a fetch fails, the keys fetched last keep verifying the tokens they fit, so an outage of
 * the issuer's endpoint stops only tokens signed with a key never seen (KeysUnavailable).
 */
export function keySource(issuer: IssuerConfig): KeyObject | JWTVerifyGetKey {
  if (issuer.publicKey) return issuer.publicKey;
  const remote = createRemoteJWKSet(new URL(issuer.jwksUrl!), {
    timeoutDuration: FETCH_TIMEOUT_MS,
    cooldownDuration: issuer.jwksCooldownSeconds * 1000,
    cacheMaxAge: issuer.jwksMaxAgeSeconds * 1000,
  });
  return async (header, token) => {
    try {
      return await remote(header, token);
    } catch (error) {
      if (!isFetchFailure(error)) throw error;
      logger.warn({ err: error, issuer: issuer.issuer }, "the identity provider's JWKS could not be fetched");
      const cached = remote.jwks();
      if (!cached) throw new KeysUnavailable(error);
      try {
        return await createLocalJWKSet(cached)(header, token);
      } catch (fallback) {
        throw fallback instanceof errors.JWKSNoMatchingKey ? new KeysUnavailable(error) : fallback;
      }
    }
  };
}
