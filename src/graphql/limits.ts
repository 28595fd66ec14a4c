import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import { GraphQLError, type ValidationContext, type ValidationRule } from 'graphql';
import type { Limits } from '../limits';
import { maxDepthRule } from './depth';

/** The codes a client sees when an operation passes a limit (HTTP 400, before anything runs). */
export const LIMIT_CODES = {
  depth: 'DEPTH_LIMIT_EXCEEDED',
  aliases: 'ALIAS_LIMIT_EXCEEDED',
  directives: 'DIRECTIVE_LIMIT_EXCEEDED',
  cost: 'COST_LIMIT_EXCEEDED',
} as const;

/**
 * graphql-armor's rules would throw out of graphql-js's `validate` (a 500 under Apollo) unless told not
 * to; this reports the refusal as a validation error with our code and the limit instead.
 */
function reportAs(code: string, limit: number) {
  return {
    propagateOnRejection: false,
    onReject: [
      (context: ValidationContext | null, error: GraphQLError) =>
        context?.reportError(new GraphQLError(error.message.replace(/^Syntax Error: /, ''), { extensions: { code, limit } })),
    ],
  };
}

/** Validation rules for depth, aliases and directives; they run before any resolver, so no SQL is spent. */
export function operationLimitRules(limits: Limits): ValidationRule[] {
  return [
    // Depth by the types walked (connections, edges and pageInfo add none); fragments count as the fields they hold.
    maxDepthRule(limits.maxDepth, LIMIT_CODES.depth),
    // Every alias counts, `__typename` too: a thousand aliased `__typename` still cost a thousand fields.
    maxAliasesRule({ n: limits.maxAliases, allowList: [], ...reportAs(LIMIT_CODES.aliases, limits.maxAliases) }),
    maxDirectivesRule({ n: limits.maxDirectives, ...reportAs(LIMIT_CODES.directives, limits.maxDirectives) }),
  ] as ValidationRule[];
}
