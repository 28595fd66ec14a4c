import type { Sequelize } from 'sequelize';
import type { UserRow } from './db/models/user';
import type { Limits } from './limits';
import { Loaders } from './loaders';
import { NO_IDENTITY_PROVIDERS, type IdentityProviders } from './identity';
import { authenticate } from './services/auth';

/** Everything a resolver may use for one request; built anew for every request. */
export interface Context {
  sequelize: Sequelize;
  /** The signed-in user, or null. */
  viewer: UserRow | null;
  /** The session the request's token belongs to (what logOut revokes). */
  sessionId: number | null;
  /** The identity provider whose JWT signed the viewer in (src/identity), or null for a built-in session. */
  issuer: string | null;
  loaders: Loaders;
  /** How long a new sign-in token lives. */
  tokenTtlSeconds: number;
  /**
   * Who the client is, as every per-client limit counts it: the address the request came from (behind a
   * trusted proxy, the one it forwarded for), IPv6 grouped by network (src/http/client.ts clientKey).
   */
  clientAddress: string;
  limits: Limits;
}

/** What the HTTP layer knows of a request besides its token. */
export type RequestOrigin = Pick<Context, 'clientAddress' | 'limits'>;

/** Reads the bearer token (one SQL statement when present, none while its sign-in is cached) and gives the request fresh loaders. */
export async function buildContext(
  sequelize: Sequelize,
  tokenTtlSeconds: number,
  authorization: string | undefined,
  origin: RequestOrigin,
  identityProviders: IdentityProviders = NO_IDENTITY_PROVIDERS,
): Promise<Context> {
  const signedIn = await authenticate(authorization, sequelize, identityProviders);
  const viewer = signedIn?.user ?? null;
  return { sequelize, viewer, sessionId: signedIn?.sessionId ?? null, issuer: signedIn?.issuer ?? null, loaders: new Loaders(), tokenTtlSeconds, ...origin };
}
