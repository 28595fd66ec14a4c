import type { ApolloServerOptionsWithGateway } from '@apollo/server';
import {
  execute,
  getNamedType,
  getVariableValues,
  GraphQLError,
  isInputObjectType,
  OperationTypeNode,
  printSchema,
  typeFromAST,
  valueFromASTUntyped,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { compileQuery, isCompiledQuery } from 'graphql-jit';
import type { Context } from '../context';

type Gateway = NonNullable<ApolloServerOptionsWithGateway<Context>['gateway']>;
type Run = (context: object, variables: Record<string, unknown>) => Promise<ExecutionResult> | ExecutionResult;

/**
 * Executes operations with graphql-jit: each document is compiled once into a function for its exact
 * selection, instead of graphql-js walking the document and coercing every field's arguments for every
 * object. For a page of 50 users with 10 posts each that is about ten times less work (and garbage).
 *
 * Apollo Server takes a custom executor only through its gateway interface, so this is a "gateway" that
 * serves one fixed local schema. Parsing, validation, plugins and error formatting stay Apollo's.
 */
export function compiledExecution(schema: GraphQLSchema): Gateway {
  // Apollo keeps one DocumentNode per distinct query text (its bounded document store), so compiled
  // functions live exactly as long as the documents they were made from; the store counts their weight
  // in each document's (src/graphql/documents.ts).
  const runs = new WeakMap<DocumentNode, Map<string | undefined, Run>>();
  const runFor = (document: DocumentNode, operation: OperationDefinitionNode | undefined, operationName: string | undefined) => {
    // Only names of the document's operations are kept (at most a few per document): a name that matches
    // none would otherwise add an entry for every distinct name a client sends with a cached document.
    if (!operation) return prepare(schema, document, operation, operationName);
    let byOperation = runs.get(document);
    if (!byOperation) runs.set(document, (byOperation = new Map<string | undefined, Run>()));
    let run = byOperation.get(operationName);
    if (!run) byOperation.set(operationName, (run = prepare(schema, document, operation, operationName)));
    return run;
  };
  const listeners = new Set<Parameters<Gateway['onSchemaLoadOrUpdate']>[0]>();
  return {
    onSchemaLoadOrUpdate(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async load() {
      for (const listener of listeners) listener({ apiSchema: schema, coreSupergraphSdl: printSchema(schema) });
      return {
        schema,
        executor: async ({ document, operation, request, context }) =>
          runFor(document, operation, request.operationName ?? undefined)(context, request.variables ?? {}),
      };
    },
    async stop() {},
  };
}

function prepare(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode | undefined, operationName: string | undefined): Run {
  const byGraphQLJs: Run = (context, variables) => execute({ schema, document, operationName, contextValue: context, variableValues: variables });
  // Mutations run with graphql-js: when one fails and nulls the answer, graphql-js runs none of those after
  // it, where graphql-jit would still run (and commit) them. Their cost is the database's anyway.
  // (Also when no operation has the requested name: graphql-js answers that in its own words.)
  if (operation?.operation !== OperationTypeNode.QUERY) return byGraphQLJs;
  // graphql-jit cannot compile variables of recursive input types (a `$where: PostWhere`, whose AND/OR
  // hold more PostWhere): it recurses for seconds of CPU before it gives up, so graphql-js runs those
  // documents without trying, as it would without graphql-jit.
  if (takesRecursiveInput(schema, operation)) return byGraphQLJs;
  const compiled = compileQuery(schema, document, operationName);
  if (!isCompiledQuery(compiled)) return byGraphQLJs;
  return async (context, variables) => {
    if (operation.variableDefinitions?.length) {
      // graphql-js judges the variables, so bad ones get its errors (which Apollo makes BAD_USER_INPUT
      // and format-error reads the value's path from); graphql-jit coerces the accepted ones itself.
      const coercion = getVariableValues(schema, operation.variableDefinitions, variables, { maxErrors: 50 });
      if (coercion.errors) return { errors: coercion.errors };
    }
    const result = await compiled.query(undefined, context, withDefaults(operation, variables));
    return result.errors ? { ...result, errors: result.errors.map(asGraphQLError) } : result;
  };
}

/**
 * The variables with the default of each one left out: graphql-jit refuses a non-null variable with a
 * default (`$id: ID! = "…"`) that is not given, which graphql-js (and the spec) accept. The default goes in
 * as the client would have written it, for graphql-jit to coerce like any value.
 */
export function withDefaults(operation: OperationDefinitionNode, variables: Record<string, unknown>): Record<string, unknown> {
  const missing = (operation.variableDefinitions ?? []).filter((d) => d.defaultValue && !Object.hasOwn(variables, d.variable.name.value));
  if (missing.length === 0) return variables;
  return { ...variables, ...Object.fromEntries(missing.map((d) => [d.variable.name.value, valueFromASTUntyped(d.defaultValue!)])) };
}

/** Whether a variable of the operation has an input type that holds itself, however deep. */
export function takesRecursiveInput(schema: GraphQLSchema, operation: OperationDefinitionNode): boolean {
  return (operation.variableDefinitions ?? []).some((definition) => {
    const type = typeFromAST(schema, definition.type);
    return type !== undefined && holdsItself(getNamedType(type), new Set());
  });
}

function holdsItself(type: GraphQLNamedType, enclosing: Set<GraphQLNamedType>): boolean {
  if (!isInputObjectType(type)) return false;
  if (enclosing.has(type)) return true;
  enclosing.add(type);
  const found = Object.values(type.getFields()).some((field) => holdsItself(getNamedType(field.type), enclosing));
  enclosing.delete(type);
  return found;
}

/**
 * graphql-jit's errors leave `extensions` undefined when the cause has none, and Apollo reads
 * `extensions.code` from every error: rebuild them as graphql-js errors with the same message,
 * locations, path and cause.
 */
function asGraphQLError(error: GraphQLError): GraphQLError {
  const rebuilt = new GraphQLError(error.message, { path: error.path, originalError: error.originalError, extensions: error.extensions });
  return Object.assign(rebuilt, { locations: error.locations });
}
