import type { Context } from '../context';
import type { UserRow } from '../db/models/user';
import { AppError } from '../errors';

/** The signed-in user, or UNAUTHENTICATED. */
export function requireViewer(ctx: Context): UserRow {
  if (!ctx.viewer) throw new AppError('UNAUTHENTICATED', 'sign in first: send Authorization: Bearer <token>');
  return ctx.viewer;
}
