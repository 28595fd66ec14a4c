import { InMemoryLRUCache } from '@apollo/utils.keyvaluecache';
import { GraphQLError, type DocumentNode } from 'graphql';
import type { Limits } from '../limits';

/** The code of a document refused for its length (HTTP 400, before it is parsed). */
export const DOCUMENT_TOO_LONG = 'DOCUMENT_TOO_LONG';

/**
 * Heap bytes a kept document costs per character of its text, its compiled executor included. Measured
 * (node --expose-gc, heap after gc, thousands of distinct documents kept): a parsed document holds its
 * text, every token (comments too: one per comment line) and its nodes with their locations, 70–90 bytes
 * per character of a real operation; graphql-jit's executor (src/graphql/executor.ts, kept as long as its
 * document) adds 20–40 more. A document that is mostly one long comment costs far less (about 1 byte
 * per character) and is overestimated: the store then keeps fewer of them, never more.
 */
export const BYTES_PER_CHARACTER = 128;

/** What a parsed document weighs in memory, estimated from the length of the text it still holds. */
export function documentWeight(document: DocumentNode): number {
  return BYTES_PER_CHARACTER * (document.loc?.source.body.length ?? 1);
}

/**
 * Apollo's store of parsed and validated documents, by the hash of their text, bounded by what they
 * weigh. Apollo's own default is bounded by the size of each document's JSON, which leaves out the text,
 * the tokens and the compiled executor each still holds: distinct documents then grow the heap far past
 * its nominal 30 MB (to gigabytes for documents that are mostly comment). 0 MB keeps none.
 */
export function documentStore(limits: Pick<Limits, 'documentCacheMb'>): InMemoryLRUCache<DocumentNode> | null {
  if (limits.documentCacheMb === 0) return null; // every request parses and validates anew
  return new InMemoryLRUCache<DocumentNode>({ maxSize: limits.documentCacheMb * 1024 * 1024, sizeCalculation: documentWeight });
}

/**
 * Refuses a document longer than the limit, before it is parsed or hashed into any store: comments and
 * whitespace count toward no token limit, so without this a 100 KB comment is a valid document. Called
 * with the query text of the request (the body's `query`, or a GET's), whatever the transport.
 */
export function refuseLongDocument(query: unknown, limits: Pick<Limits, 'maxDocumentLength'>): void {
  if (typeof query !== 'string' || query.length <= limits.maxDocumentLength) return;
  throw new GraphQLError(`the document is ${query.length} characters long, more than the limit of ${limits.maxDocumentLength}`, {
    extensions: { code: DOCUMENT_TOO_LONG, limit: limits.maxDocumentLength, http: { status: 400 } },
  });
}
