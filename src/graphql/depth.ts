import {
  GraphQLError,
  getNamedType,
  isInterfaceType,
  isObjectType,
  Kind,
  type ASTVisitor,
  type FragmentDefinitionNode,
  type GraphQLNamedType,
  type GraphQLSchema,
  type SelectionSetNode,
  type ValidationContext,
} from 'graphql';

/**
 * Types whose fields add no depth: a Relay list walks `posts { edges { node { … } } }` or
 * `posts { nodes { … } }`, and `pageInfo { … }`, where a plain list would be one field.
 */
export function addsNoDepth(type: GraphQLNamedType): boolean {
  return type.name.endsWith('Connection') || type.name.endsWith('Edge') || type.name === 'PageInfo';
}

/** Introspection is answered from the schema, not the data: its nesting (`ofType { ofType … }`) is not counted. */
const INTROSPECTION = new Set(['__schema', '__type']);

/**
 * How deep an operation reaches, counted by the types walked: every field counts one level, except the
 * fields of connections, edges and PageInfo (addsNoDepth). Fragments count as the fields they hold.
 * `{ viewer { posts { edges { node { author { name } } } } } }` is 4 deep: viewer, posts, author, name.
 */
export function selectionDepth(
  schema: GraphQLSchema,
  selectionSet: SelectionSetNode,
  type: GraphQLNamedType | undefined,
  fragments: (name: string) => FragmentDefinitionNode | null | undefined,
): number {
  const fragmentDepths = new Map<string, number>();

  const depthOf = (set: SelectionSetNode, parent: GraphQLNamedType | undefined): number => {
    let deepest = 0;
    for (const selection of set.selections) {
      let depth = 0;
      if (selection.kind === Kind.FIELD) {
        if (INTROSPECTION.has(selection.name.value)) continue;
        const field = parent && (isObjectType(parent) || isInterfaceType(parent)) ? parent.getFields()[selection.name.value] : undefined;
        const own = parent && addsNoDepth(parent) ? 0 : 1;
        depth = own + (selection.selectionSet ? depthOf(selection.selectionSet, field && getNamedType(field.type)) : 0);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        depth = depthOf(selection.selectionSet, selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent);
      } else {
        depth = fragmentDepth(selection.name.value);
      }
      deepest = Math.max(deepest, depth);
    }
    return deepest;
  };

  // A fragment is as deep wherever it is spread (its fields are those of its type condition): counted once.
  const fragmentDepth = (name: string): number => {
    const known = fragmentDepths.get(name);
    if (known !== undefined) return known;
    fragmentDepths.set(name, 0); // a cycle (refused by validation anyway) adds nothing
    const fragment = fragments(name);
    const depth = fragment ? depthOf(fragment.selectionSet, schema.getType(fragment.typeCondition.name.value)) : 0;
    fragmentDepths.set(name, depth);
    return depth;
  };

  return depthOf(selectionSet, type);
}

/**
 * A validation rule refusing operations deeper than `maxDepth` (selectionDepth) with `code`, before
 * anything runs; every operation type goes through it.
 */
export function maxDepthRule(maxDepth: number, code: string) {
  return (context: ValidationContext): ASTVisitor => ({
    OperationDefinition(operation) {
      const schema = context.getSchema();
      const depth = selectionDepth(schema, operation.selectionSet, schema.getRootType(operation.operation) ?? undefined, (name) => context.getFragment(name));
      if (depth <= maxDepth) return;
      context.reportError(
        new GraphQLError(`Query depth limit of ${maxDepth} exceeded, found ${depth} (fields of connections, edges and pageInfo add no depth).`, {
          nodes: [operation],
          extensions: { code, limit: maxDepth },
        }),
      );
    },
  });
}
