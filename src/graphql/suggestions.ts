import type { GraphQLFormattedError } from 'graphql';

/** graphql-js's hints: ` Did you mean "title"?`, ` Did you mean the enum value "TITLE"?` (names hold no "?"). */
const SUGGESTION = / ?Did you mean [^?]*\?/g;

/**
 * An error without "Did you mean …" hints, in its message and its field problems. Production turns
 * introspection off; the hints would hand out the schema's names anyway, one guess at a time. Apollo's
 * own option only covers validation errors, not variables, whose errors carry the same hints.
 */
export function withoutSuggestions(formatted: GraphQLFormattedError): GraphQLFormattedError {
  const fields = formatted.extensions?.fields as { path: unknown[]; message: string }[] | undefined;
  return {
    ...formatted,
    message: formatted.message.replace(SUGGESTION, ''),
    ...(fields && {
      extensions: { ...formatted.extensions, fields: fields.map((f) => ({ ...f, message: f.message.replace(SUGGESTION, '') })) },
    }),
  };
}
