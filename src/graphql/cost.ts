import {
  GraphQLError,
  getNamedType,
  isCompositeType,
  isObjectType,
  isInterfaceType,
  Kind,
  type DocumentNode,
  type FieldNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../lists/page';
import { MAX_NODES } from '../services/nodes';
import { LIMIT_CODES } from './limits';
import type { RequestHooks } from './request-hooks';

type Variables = Readonly<Record<string, unknown>> | undefined;

/**
 * How many objects an answer to `operation` can hold: every field that returns an object counts once
 * per parent, and below a field that takes `first`/`last` everything counts once per row of the page
 * (the size asked, literally or through a variable; 20 when not given; at most 100, since larger
 * sizes are refused anyway); below `nodes(ids:)` once per id given (at most 100). Scalars are free. A fragment is priced once, however often it is spread.
 */
export function operationCost(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, variables: Variables): number {
  const fragments = new Map(document.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d] as const] : [])));
  const fragmentCosts = new Map<string, number>();
  const defaults = new Map(operation.variableDefinitions?.map((d) => [d.variable.name.value, d.defaultValue]) ?? []);

  const pageSize = (field: FieldNode, definition: GraphQLField<unknown, unknown>): number => {
    if (definition.args.some((arg) => arg.name === 'ids'))
      return Math.min(lengthOf(field.arguments?.find((arg) => arg.name.value === 'ids')?.value), MAX_NODES);
    if (!definition.args.some((arg) => arg.name === 'first' || arg.name === 'last')) return 1;
    const sizes = (field.arguments ?? []).filter((arg) => arg.name.value === 'first' || arg.name.value === 'last').map((arg) => valueOf(arg.value));
    const size = sizes.length ? Math.max(...sizes) : DEFAULT_PAGE_SIZE;
    return Math.min(Math.max(size, 0), MAX_PAGE_SIZE);
  };

  /** A page size as given; unreadable values are priced at the largest page (they will be refused). */
  const valueOf = (node: ValueNode | undefined): number => {
    if (node?.kind === Kind.INT) return Number(node.value);
    if (node?.kind === Kind.NULL || node === undefined) return DEFAULT_PAGE_SIZE;
    if (node.kind !== Kind.VARIABLE) return MAX_PAGE_SIZE;
    const name = node.name.value;
    if (variables && name in variables) {
      const value = variables[name];
      if (value === null || value === undefined) return DEFAULT_PAGE_SIZE;
      return typeof value === 'number' && Number.isFinite(value) ? value : MAX_PAGE_SIZE;
    }
    return valueOf(defaults.get(name));
  };

  /** How many ids a list argument holds (`nodes(ids:)`), literally or through a variable; a lone value counts as one. */
  const lengthOf = (node: ValueNode | undefined): number => {
    if (node?.kind === Kind.LIST) return node.values.length;
    if (node?.kind !== Kind.VARIABLE) return node === undefined || node.kind === Kind.NULL ? 0 : 1;
    const name = node.name.value;
    if (!variables || !(name in variables)) return lengthOf(defaults.get(name));
    const value = variables[name];
    return Array.isArray(value) ? value.length : value == null ? 0 : 1;
  };

  const selectionCost = (selectionSet: SelectionSetNode | undefined, type: GraphQLNamedType | null | undefined): number => {
    if (!selectionSet || !type) return 0;
    let cost = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        cost += selectionCost(selection.selectionSet, selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : type);
      } else if (selection.kind === Kind.FRAGMENT_SPREAD) {
        cost += fragmentCost(selection.name.value);
      } else if (isObjectType(type) || isInterfaceType(type)) {
        const definition = type.getFields()[selection.name.value]; // undefined for __typename and introspection
        const returned = definition && getNamedType(definition.type);
        if (!definition || !isCompositeType(returned)) continue;
        cost += 1 + pageSize(selection, definition) * selectionCost(selection.selectionSet, returned);
      }
    }
    return cost;
  };

  const fragmentCost = (name: string): number => {
    const known = fragmentCosts.get(name);
    if (known !== undefined) return known;
    fragmentCosts.set(name, 0); // a cycle (refused by validation anyway) costs nothing more
    const fragment = fragments.get(name);
    const cost = fragment ? selectionCost(fragment.selectionSet, schema.getType(fragment.typeCondition.name.value)) : 0;
    fragmentCosts.set(name, cost);
    return cost;
  };

  return selectionCost(operation.selectionSet, schema.getRootType(operation.operation));
}

/** The refusal of an operation whose cost passes `maxCost`, or null when it may run. */
export function costRefusal(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Variables,
  maxCost: number,
): GraphQLError | null {
  const cost = operationCost(schema, document, operation, variables);
  if (cost <= maxCost) return null;
  return new GraphQLError(`the operation could return ${cost} objects, more than the limit of ${maxCost}: ask for smaller pages`, {
    extensions: { code: LIMIT_CODES.cost, limit: maxCost, cost, http: { status: 400 } },
  });
}

/**
 * Refuses an operation whose cost passes `maxCost` before it runs. A request hook rather than a validation
 * rule, because the cost depends on the variables, and Apollo validates a document once and caches it.
 */
export function costLimitHooks(maxCost: number): RequestHooks {
  return {
    didResolveOperation({ schema, document, operation, request }) {
      if (!operation) return;
      const refusal = costRefusal(schema, document, operation, request.variables, maxCost);
      if (refusal) throw refusal;
    },
  };
}
