import { Op, QueryTypes, UniqueConstraintError, type Sequelize } from 'sequelize';
import { Identity } from '../db/models/identity';
import { toUserRow, User, whereEmailIs, type UserRow } from '../db/models/user';
import { inTransaction } from '../db/transaction';
import { logger } from '../logger';
import { problemsOf } from '../services/validation';
import type { VerifiedToken } from './verify';

/** The local user of a person an issuer names: one statement, from the primary (a user made a moment ago may not be on replicas yet). */
async function knownUser({ issuer, subject }: VerifiedToken): Promise<UserRow | null> {
  const identity = await Identity.findOne({
    where: { issuer: { [Op.eq]: issuer.issuer }, subject: { [Op.eq]: subject } },
    include: [{ model: User, as: 'user' }],
    useMaster: true,
  });
  return identity?.user ? toUserRow(identity.user) : null;
}

/**
 * The name and email a new user starts with, from the issuer's configured claims. The email only when the
 * issuer says it verified it, and never one an account here already holds: linking the two would hand that
 * account to whoever controls the issuer. Values the model would refuse are left out rather than fail the request.
 */
async function profileOf({ issuer, subject, claims }: VerifiedToken): Promise<{ email: string | null; name: string | null }> {
  const name = claims[issuer.nameClaim];
  const email = claims[issuer.emailClaim];
  const draft = User.build({
    name: typeof name === 'string' ? name.slice(0, 100) : null,
    email: typeof email === 'string' && claims.email_verified === true ? email : null,
    passwordHash: null,
  });
  const problems = await problemsOf(draft, { fields: ['name', 'email'] });
  const profile = {
    name: problems.some((p) => p.path[0] === 'name') ? null : draft.name,
    email: problems.some((p) => p.path[0] === 'email') ? null : draft.email,
  };
  if (profile.email && (await User.count({ where: whereEmailIs(profile.email) }))) {
    logger.warn({ issuer: issuer.issuer, subject }, "a new user's verified email belongs to an existing account: the new user gets no email");
    return { ...profile, email: null };
  }
  return profile;
}

/** Another request made this person's user first: its transaction rolls back, and the winner is read. */
class LostRace extends Error {}

/** Makes the user and its identity in one transaction; the unique (issuer, subject) index lets one of concurrent ones win. */
async function createUser(sequelize: Sequelize, token: VerifiedToken, profile: { email: string | null; name: string | null }): Promise<UserRow> {
  return inTransaction(sequelize, async (transaction) => {
    const user = await User.create({ ...profile, passwordHash: null }, { transaction });
    const inserted = await sequelize.query(
      `INSERT INTO identities (issuer, subject, "userId", "createdAt") VALUES ($1, $2, $3, now())
       ON CONFLICT (issuer, subject) DO NOTHING RETURNING id`,
      { bind: [token.issuer.issuer, token.subject, user.id], type: QueryTypes.SELECT, transaction },
    );
    if (!inserted.length) throw new LostRace();
    return toUserRow(user);
  });
}

/**
 * The local user behind a verified token: found by (issuer, subject), or created on first sight (just in
 * time) with the token's name and, when trusted, email. It never has a password.
 */
export async function userOfToken(sequelize: Sequelize, token: VerifiedToken): Promise<UserRow> {
  const known = await knownUser(token);
  if (known) return known;
  const profile = await profileOf(token);
  try {
    const user = await createUser(sequelize, token, profile);
    logger.info({ issuer: token.issuer.issuer, userId: user.id }, 'a user was created for a first sign-in through an identity provider');
    return user;
  } catch (error) {
    if (!(error instanceof LostRace || error instanceof UniqueConstraintError)) throw error;
    const winner = await knownUser(token);
    if (winner) return winner;
    // The email was taken between the check and the insert (by a signUp): the user starts without it.
    if (error instanceof UniqueConstraintError && profile.email) return userOfToken(sequelize, token);
    throw error;
  }
}
