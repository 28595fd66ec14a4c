import type { MigrationModule } from '../src/db/migrator';
import * as createUsers from './20261125000100-create-users';
import * as createPosts from './20261125000200-create-posts';
import * as createSessions from './20261125000300-create-sessions';
import * as indexListOrderings from './20261125000400-index-list-orderings';
import * as coverAuthorCounts from './20261125000500-cover-author-counts';
import * as createLoginAttempts from './20261125000600-create-login-attempts';
import * as attemptCounts from './20261128083000-attempt-counts';
import * as externalIdentities from './20261128100000-external-identities';
import * as trigramIndexes from './20261128120000-trigram-indexes';
import * as postSearch from './20261128124110-post-search';
import * as usersLastWrite from './20261128140000-users-last-write';
import * as authorPostCounts from './20261129030000-author-post-counts';

/**
 * Every migration, oldest first. Listed here rather than found by a file glob so that the same
 * list runs from TypeScript (tests) and from the build; a test checks no file is missing.
 */
export const migrations: MigrationModule[] = [
  { name: '20261125000100-create-users', ...createUsers },
  { name: '20261125000200-create-posts', ...createPosts },
  { name: '20261125000300-create-sessions', ...createSessions },
  { name: '20261125000400-index-list-orderings', ...indexListOrderings },
  { name: '20261125000500-cover-author-counts', ...coverAuthorCounts },
  { name: '20261125000600-create-login-attempts', ...createLoginAttempts },
  { name: '20261128083000-attempt-counts', ...attemptCounts },
  { name: '20261128100000-external-identities', ...externalIdentities },
  { name: '20261128120000-trigram-indexes', ...trigramIndexes },
  { name: '20261128124110-post-search', ...postSearch },
  { name: '20261128140000-users-last-write', ...usersLastWrite },
  { name: '20261129030000-author-post-counts', ...authorPostCounts },
];
