import {
  getArgumentValues,
  getNamedType,
  Kind,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLObjectType,
  type GraphQLResolveInfo,
  type SelectionSetNode,
} from 'graphql';
import type { ChildList, ListSelection, ObjectField } from '../lists';

type Fragments = Record<string, FragmentDefinitionNode>;

/**
 * What a client selected of a connection: the fields of its nodes (under `nodes` and `edges.node`,
 * through fragments too), so list queries read only those columns, and whether it wants cursors and totalCount.
 * @skip/@include are not evaluated: what they leave out is still read, which costs work, never a wrong answer.
 */
export function selectionOf(info: GraphQLResolveInfo): ListSelection {
  // graphql-js hands every sibling (User.posts of each user in a page) the same fieldNodes array.
  let selection = selections.get(info.fieldNodes);
  if (!selection) {
    selection = readSelection(info.fieldNodes, info.fragments);
    selections.set(info.fieldNodes, selection);
  }
  return selection;
}

const selections = new WeakMap<readonly FieldNode[], ListSelection>();

/** The names of the fields selected of an object field (e.g. `author { name }`), through fragments too. */
export function fieldNamesOf(info: GraphQLResolveInfo): readonly string[] {
  let names = fieldNames.get(info.fieldNodes);
  if (!names) {
    names = [...new Set(info.fieldNodes.flatMap((field) => fieldsOf(field.selectionSet, info.fragments).map((subfield) => subfield.name.value)))];
    fieldNames.set(info.fieldNodes, names);
  }
  return names;
}

const fieldNames = new WeakMap<readonly FieldNode[], readonly string[]>();

/**
 * The lists named `name` among the fields of a connection's nodes (e.g. each user's `posts` under
 * `users { nodes { … } }`), one per response key (aliases make several), with their arguments (variables
 * applied) and selections: the connection's own statement can read them too (see listUsers).
 */
export function childListsOf(info: GraphQLResolveInfo, name: string): ChildList[] {
  const byKey = new Map<string, FieldNode[]>();
  for (const field of nodeFieldsOf(info.fieldNodes, info.fragments)) {
    if (field.name.value !== name) continue;
    const key = field.alias?.value ?? name;
    byKey.set(key, [...(byKey.get(key) ?? []), field]);
  }
  if (byKey.size === 0) return [];
  const connection = getNamedType(info.returnType) as GraphQLObjectType;
  const node = getNamedType(connection.getFields().nodes!.type) as GraphQLObjectType;
  const definition = node.getFields()[name]!;
  return [...byKey.values()].map((fieldNodes) => ({
    args: getArgumentValues(definition, fieldNodes[0]!, info.variableValues),
    selection: readSelection(fieldNodes, info.fragments),
  }));
}

function readSelection(connections: readonly FieldNode[], fragments: Fragments): ListSelection {
  let totalCount = false;
  let cursors = false;
  let neighbours = false;
  for (const connection of connections) {
    for (const field of fieldsOf(connection.selectionSet, fragments)) {
      if (field.name.value === 'totalCount') totalCount = true;
      if (field.name.value === 'edges') cursors ||= fieldsOf(field.selectionSet, fragments).some((f) => f.name.value === 'cursor');
      if (field.name.value === 'pageInfo') {
        const names = fieldsOf(field.selectionSet, fragments).map((f) => f.name.value);
        cursors ||= names.includes('startCursor') || names.includes('endCursor');
        neighbours ||= names.includes('hasNextPage') || names.includes('hasPreviousPage');
      }
    }
  }
  const nodeFields = nodeFieldsOf(connections, fragments);
  const fields = new Set(nodeFields.map((field) => field.name.value));
  return { fields: [...fields], cursors, neighbours, totalCount, objects: objectFieldsOf(nodeFields, fragments) };
}

/**
 * The object fields among `fields` (those with a selection: `author { name }`), each once whatever its
 * aliases, with the names of all that was selected of it, in a stable order (it is part of a page's key).
 */
function objectFieldsOf(fields: readonly FieldNode[], fragments: Fragments): ObjectField[] {
  const byName = new Map<string, Set<string>>();
  for (const field of fields) {
    if (!field.selectionSet) continue;
    const names = byName.get(field.name.value) ?? new Set<string>();
    for (const subfield of fieldsOf(field.selectionSet, fragments)) names.add(subfield.name.value);
    byName.set(field.name.value, names);
  }
  return [...byName].sort(([a], [b]) => a.localeCompare(b)).map(([name, names]) => ({ name, fields: [...names].sort() }));
}

/** The object fields selected of the object a field returns (`post(id) { author { name } }`): what its row's statement may read with it. */
export function objectFieldsUnder(info: GraphQLResolveInfo): readonly ObjectField[] {
  let objects = objectFields.get(info.fieldNodes);
  if (!objects) {
    objects = objectFieldsOf(
      info.fieldNodes.flatMap((field) => fieldsOf(field.selectionSet, info.fragments)),
      info.fragments,
    );
    objectFields.set(info.fieldNodes, objects);
  }
  return objects;
}

const objectFields = new WeakMap<readonly FieldNode[], readonly ObjectField[]>();

/** The fields selected of a connection's nodes, under `nodes` and under `edges { node }`. */
function nodeFieldsOf(connections: readonly FieldNode[], fragments: Fragments): FieldNode[] {
  return connections.flatMap((connection) =>
    fieldsOf(connection.selectionSet, fragments).flatMap((field) => {
      if (field.name.value === 'nodes') return fieldsOf(field.selectionSet, fragments);
      if (field.name.value !== 'edges') return [];
      return fieldsOf(field.selectionSet, fragments).flatMap((edgeField) =>
        edgeField.name.value === 'node' ? fieldsOf(edgeField.selectionSet, fragments) : [],
      );
    }),
  );
}

function fieldsOf(selectionSet: SelectionSetNode | undefined, fragments: Fragments): FieldNode[] {
  return (selectionSet?.selections ?? []).flatMap((selection) => {
    if (selection.kind === Kind.FIELD) return [selection];
    if (selection.kind === Kind.INLINE_FRAGMENT) return fieldsOf(selection.selectionSet, fragments);
    return fieldsOf(fragments[selection.name.value]?.selectionSet, fragments);
  });
}
