import { GraphQLError, type ValidationRule } from 'graphql';

/**
 * Refuses an operation whose root type the schema lacks (`subscription { … }` here). graphql-js 16 only
 * finds out when executing, with an error that carries no code, which would be masked as an internal error.
 */
export const knownRootTypesRule: ValidationRule = (context) => ({
  OperationDefinition(node) {
    if (context.getSchema().getRootType(node.operation)) return;
    context.reportError(new GraphQLError(`this API has no ${node.operation} operations`, { nodes: node }));
  },
});
