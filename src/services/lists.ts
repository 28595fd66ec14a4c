import type { ListSpec } from '../lists';
import { Post } from '../db/models/post';
import { User } from '../db/models/user';

/**
 * What clients may filter and order each list by. Filters and orders here are the whole allow-list:
 * PostWhere/PostOrder and UserWhere/UserOrder in schema.graphql name exactly these (users have no
 * email filter, which would let anyone probe addresses).
 */
export const POST_LIST: ListSpec = {
  filters: {
    id: { attribute: 'id', type: 'id', node: 'Post' },
    title: { attribute: 'title', type: 'string' },
    content: { attribute: 'content', type: 'string', nullable: true },
    published: { attribute: 'published', type: 'boolean' },
    authorId: { attribute: 'authorId', type: 'id', node: 'User' },
    createdAt: { attribute: 'createdAt', type: 'datetime' },
    updatedAt: { attribute: 'updatedAt', type: 'datetime' },
    databaseId: { attribute: 'id', type: 'integer' },
  },
  columns: {
    ID: { attribute: 'id', kind: 'integer' },
    CREATED_AT: { attribute: 'createdAt', kind: 'date' },
    UPDATED_AT: { attribute: 'updatedAt', kind: 'date' },
    TITLE: { attribute: 'title', kind: 'string' },
  },
  defaultOrder: { model: Post, scope: 'newestFirst' },
  // English stemming: a search box's "posts" finds "post" and "posting" (see the generated column in Post).
  // Relevance ranks the newest 10,000 matches: a search box's common words match a share of all posts, and
  // ranking them all costs in proportion (2 s of CPU a request at 2,000,000 posts, see the README).
  search: { column: 'search', config: 'english', orderField: 'RELEVANCE', window: 10_000 },
};

export const USER_LIST: ListSpec = {
  filters: {
    id: { attribute: 'id', type: 'id', node: 'User' },
    name: { attribute: 'name', type: 'string', nullable: true },
    createdAt: { attribute: 'createdAt', type: 'datetime' },
    databaseId: { attribute: 'id', type: 'integer' },
  },
  columns: {
    ID: { attribute: 'id', kind: 'integer' },
    CREATED_AT: { attribute: 'createdAt', kind: 'date' },
    NAME: { attribute: 'name', kind: 'string', nullable: true },
  },
  defaultOrder: { model: User, scope: 'byId' },
};
