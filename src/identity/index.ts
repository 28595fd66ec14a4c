import type { Sequelize } from 'sequelize';
import type { UserRow } from '../db/models/user';
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

  constructor(issuers: IssuerConfig[] = [], clockSkewSeconds = 30) {
    this.verifier = new TokenVerifier(issuers, clockSkewSeconds);
  }

  /** The user a JWT stands for and its issuer; UNAUTHENTICATED (with extensions.reason) for a token that does not verify. */
  async authenticate(sequelize: Sequelize, jwt: string): Promise<{ user: UserRow; issuer: string }> {
    const token = await this.verifier.verify(jwt);
    return { user: await userOfToken(sequelize, token), issuer: token.issuer.issuer };
  }
}

/** No issuer trusted: only the built-in sessions sign people in. */
export const NO_IDENTITY_PROVIDERS = new IdentityProviders();
