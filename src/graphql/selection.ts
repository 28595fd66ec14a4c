import { Kind, type FieldNode, type FragmentDefinitionNode, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';
import type { ListSelection } from '../lists';

/**
 * What a client selected of a connection: the fields of its nodes (under `nodes` and `edges.node`,
 * through fragments too), so list queries read only those columns, and whether it wants cursors and totalCount.
 * @skip/@include are not evaluated: what they leave out is still read, which costs work, never a wrong answer.
 */
export function selectionOf(info: GraphQLResolveInfo): ListSelection {
  // graphql-js hands every sibling (User.posts of each user in a page) the same fieldNodes array.
  let selection = selections.get(info.fieldNodes);
  if (!selection) {
    selection = readSelection(info);
    selections.set(info.fieldNodes, selection);
  }
  return selection;
}

const selections = new WeakMap<readonly FieldNode[], ListSelection>();

/** The names of the fields selected of an object field (e.g. `author { name }`), through fragments too. */
export function fieldNamesOf(info: GraphQLResolveInfo): readonly string[] {
  let names = fieldNames.get(info.fieldNodes);
  if (!names) {
    names = [...new Set(info.fieldNodes.flatMap((field) => subfieldsOf(field.selectionSet, info.fragments).map((subfield) => subfield.name.value)))];
    fieldNames.set(info.fieldNodes, names);
  }
  return names;
}

const fieldNames = new WeakMap<readonly FieldNode[], readonly string[]>();

function readSelection(info: GraphQLResolveInfo): ListSelection {
  const fields = new Set<string>();
  let totalCount = false;
  let cursors = false;
  for (const connection of info.fieldNodes) {
    for (const field of subfieldsOf(connection.selectionSet, info.fragments)) {
      if (field.name.value === 'totalCount') totalCount = true;
      if (field.name.value === 'nodes') addNames(fields, field.selectionSet, info.fragments);
      if (field.name.value === 'edges') {
        for (const edgeField of subfieldsOf(field.selectionSet, info.fragments)) {
          if (edgeField.name.value === 'node') addNames(fields, edgeField.selectionSet, info.fragments);
          if (edgeField.name.value === 'cursor') cursors = true;
        }
      }
      if (field.name.value === 'pageInfo') {
        cursors ||= subfieldsOf(field.selectionSet, info.fragments).some((f) => f.name.value === 'startCursor' || f.name.value === 'endCursor');
      }
    }
  }
  return { fields: [...fields], cursors, totalCount };
}

function addNames(names: Set<string>, selectionSet: SelectionSetNode | undefined, fragments: Record<string, FragmentDefinitionNode>) {
  for (const field of subfieldsOf(selectionSet, fragments)) names.add(field.name.value);
}

function subfieldsOf(selectionSet: SelectionSetNode | undefined, fragments: Record<string, FragmentDefinitionNode>): FieldNode[] {
  return (selectionSet?.selections ?? []).flatMap((selection) => {
    if (selection.kind === Kind.FIELD) return [selection];
    if (selection.kind === Kind.INLINE_FRAGMENT) return subfieldsOf(selection.selectionSet, fragments);
    return subfieldsOf(fragments[selection.name.value]?.selectionSet, fragments);
  });
}
