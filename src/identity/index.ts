import { decodeJwt } from 'jose';
import type { Sequelize } from 'sequelize';
import type { UserRow } from '../db/models/user';
import { sessionCache } from '../services/session-cache';
import type { IssuerConfig } from './issuers';
import { userOfToken } from './users';
import { TokenVerifier } from './verify';

export { issuersVariable, type IssuerConfig } from './issuers';

/**
 * The identity providers this API trusts (AUTH_ISSUERS): their JWTs sign people in beside the built-in
 * sessions, and end in the same viewer. Made once at start, so that each issuer's fetched keys are shared by
 * every request.
 */
export class IdentityProviders {
  private readonly verifier: TokenVerifier;

  constructor(
    issuers: IssuerConfig[] = [],
    private readonly clockSkewSeconds = 30,
  ) {
    this.verifier = new TokenVerifier(issuers, clockSkewSeconds);
  }

  /**
   * When a JWT that verified stops being accepted, in ms since the epoch: its `exp` plus the clock skew
   * allowed (as jwtVerify's clockTolerance), so what it signed in to lasts exactly as long as its requests do.
   */
  acceptedUntil(jwt: string): number {
    return ((decodeJwt(jwt).exp ?? Infinity) + this.clockSkewSeconds) * 1000;
  }

  /**
   * The user a JWT stands for and its issuer; UNAUTHENTICATED (with extensions.reason) for a token that does
   * not verify. Every token is verified; the user it names is kept in the session cache for a while, under the
   * issuer and subject (the same person's next token finds it too).
   */
  async authenticate(sequelize: Sequelize, jwt: string): Promise<{ user: UserRow; issuer: string }> {
    const token = await this.verifier.verify(jwt);
    const issuer = token.issuer.issuer;
    const key = `issuer ${JSON.stringify([issuer, token.subject])}`;
    const cached = sessionCache.get(key);
    if (cached) return { user: cached.user, issuer };
    const mark = sessionCache.mark();
    const user = await userOfToken(sequelize, token);
    sessionCache.set(key, { user, sessionId: null, issuer }, mark);
    return { user, issuer };
  }
}

/** No issuer trusted: only the built-in sessions sign people in. */
export const NO_IDENTITY_PROVIDERS = new IdentityProviders();
