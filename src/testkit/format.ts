import { z } from 'zod';

/** A fixture's stable key: tests name users and posts by it (never an integer-like key: JSON objects reorder those). */
const key = z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/, 'a key starts with a letter and holds up to 64 letters, digits, "-" or "_"');

const timestamp = z.iso.datetime({ offset: true }).describe('an ISO 8601 date and time with its offset, e.g. 2026-01-15T09:30:00Z');

const user = z
  .strictObject({
    email: z.string().nullable().optional().describe('the sign-in email; unique whatever its case'),
    name: z.string().nullable().optional(),
    password: z.string().nullable().optional().describe('left out or null: the user signs in only with a token from POST /testkit/tokens'),
    createdAt: timestamp.optional().describe('default: a fixed time from the fixture position'),
    updatedAt: timestamp.optional().describe('default: createdAt'),
  })
  .describe('a user, known to tests by its key');

const post = z
  .strictObject({
    author: key.describe('the key of a user of this file'),
    title: z.string(),
    content: z.string().nullable().optional(),
    published: z.boolean().optional().describe('default false: a draft, seen only by its author'),
    createdAt: timestamp.optional().describe('default: a fixed time from the fixture position'),
    updatedAt: timestamp.optional().describe('default: createdAt'),
    deletedAt: timestamp.nullable().optional().describe('set: the post is soft-deleted (restorePost brings it back)'),
  })
  .describe('a post, known to tests by its key');

/** A fixture file: users and posts by key, loaded in the order written (so their ids are known). */
export const fixtureFile = z
  .strictObject({
    $schema: z.string().optional(),
    users: z.record(key, user),
    posts: z.record(key, post).optional(),
  })
  .describe('Fixtures of the content API test mode (npm run serve:test -- --fixtures FILE)');

export type FixtureFile = z.infer<typeof fixtureFile>;
export type FixtureUser = z.infer<typeof user>;
export type FixturePost = z.infer<typeof post>;

/** The JSON Schema editors complete fixture files with (fixtures.schema.json is this, written out). */
export function fixtureJsonSchema(): object {
  return { ...z.toJSONSchema(fixtureFile, { io: 'input' }), title: 'Content API fixtures' };
}
