import type { Sequelize } from 'sequelize';
import type { UserRow } from './db/models/user';
import { Loaders } from './loaders';
import { authenticate } from './services/auth';

/** Everything a resolver may use for one request; built anew for every request. */
export interface Context {
  sequelize: Sequelize;
  /** The signed-in user, or null. */
  viewer: UserRow | null;
  /** The session the request's token belongs to (what logOut revokes). */
  sessionId: number | null;
  loaders: Loaders;
  /** How long a new sign-in token lives. */
  tokenTtlSeconds: number;
}

/** Reads the bearer token (one SQL statement when present) and gives the request fresh loaders. */
export async function buildContext(
  sequelize: Sequelize,
  tokenTtlSeconds: number,
  authorization: string | undefined,
): Promise<Context> {
  const session = await authenticate(authorization);
  const viewer = session?.user ?? null;
  return { sequelize, viewer, sessionId: session?.sessionId ?? null, loaders: new Loaders(), tokenTtlSeconds };
}
