import fc from 'fast-check';
import { buildSchema, getNamedType, isCompositeType, isObjectType, type GraphQLNamedType } from 'graphql';
import { typeDefs } from '../graphql/schema';

const schema = buildSchema(typeDefs);

/** Names of this schema's fields, some misspelt or foreign, and introspection's. */
const FIELDS = [
  'viewer',
  'user',
  'post',
  'users',
  'posts',
  'nodes',
  'edges',
  'node',
  'cursor',
  'pageInfo',
  'hasNextPage',
  'endCursor',
  'totalCount',
  'id',
  'databaseId',
  'name',
  'email',
  'title',
  'content',
  'published',
  'version',
  'author',
  'createdAt',
  'deletedAt',
  '__typename',
  '__schema',
  '__type',
  'types',
  'fields',
  'bogus',
  'signUp',
  'logIn',
  'logOut',
  'createPost',
  'deletePost',
];
const ARGUMENTS = ['first', 'last', 'after', 'before', 'where', 'orderBy', 'id', 'ids', 'input', 'name', 'bogus'];

const literal: fc.Arbitrary<string> = fc.oneof(
  fc.integer({ min: -(2 ** 33), max: 2 ** 33 }).map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
  fc.string({ maxLength: 20 }).map((s) => JSON.stringify(s)),
  fc.constantFrom(
    'null',
    'true',
    'ASC',
    'TITLE',
    '$v',
    '$first',
    '$input',
    '[]',
    '[1, "a", null]',
    '{}',
    '{ title: { contains: "a", mode: INSENSITIVE } }',
    '{ NOT: { OR: [{ published: true }] } }',
    '{ email: "a@example.com", password: "long enough" }',
    '{ title: "fuzz" }',
    '[{ field: TITLE, direction: DESC }]',
    '"\\u0000"',
    '"""block"""',
  ),
);

/** Mostly none (a field then gets a valid one of its own), else up to three, rarely right. */
const argumentList = fc.oneof(
  { weight: 6, arbitrary: fc.constant('') },
  fc
    .array(fc.tuple(fc.constantFrom(...ARGUMENTS), literal), { minLength: 1, maxLength: 3 })
    .map((args) => `(${args.map(([name, value]) => `${name}: ${value}`).join(', ')})`),
);

/** Mostly the plain, valid thing, else one of a few that are wrong or risky: most documents run, many do not. */
const mostly = <T>(usual: T, ...others: T[]) => fc.oneof({ weight: 6, arbitrary: fc.constant(usual) }, { weight: 1, arbitrary: fc.constantFrom(...others) });

const directive = mostly('', '@include(if: true)', '@skip(if: $v)', '@skip(if: false) @include(if: true)', '@deprecated', '@bogus');
const alias = mostly('', 'a: ', 'b: ');

const fragmentSpread = fc.constantFrom('...F', '... on Query { __typename }', '... on User { id }', '...Missing');

/** A field of `type` (when noisy, now and then a wrong one), with arguments and directives, and the type it returns. */
function fieldOf(type: GraphQLNamedType | undefined, objects: boolean, noisy: boolean): fc.Arbitrary<{ head: string; returns?: GraphQLNamedType }> {
  const all = type && isObjectType(type) ? Object.values(type.getFields()) : [];
  const wanted = all.filter((f) => isCompositeType(getNamedType(f.type)) === objects);
  const real = wanted.length ? wanted : all.length && objects ? all : [{ name: '__typename' }];
  const names = fc.constantFrom(...real.map((f) => f.name));
  const name = !noisy ? names : real.length ? fc.oneof({ weight: 12, arbitrary: names }, fc.constantFrom(...FIELDS)) : fc.constantFrom(...FIELDS);
  const none = fc.constant('');
  return fc.tuple(noisy ? alias : none, name, noisy ? argumentList : none, noisy ? directive : none).map(([a, field, args, dir]) => {
    const definition = all.find((f) => f.name === field);
    const returns = definition && getNamedType(definition.type);
    const realArgs = definition?.args.length && args === '' ? `(${definition.args[0]!.name}: 2)` : args;
    return { head: `${a}${field}${realArgs} ${dir}`, returns: returns && isCompositeType(returns) ? returns : undefined };
  });
}

/**
 * A selection set on `type` nesting up to `depth` levels (past the depth limit now and then): a few
 * leaves beside one field that may nest further, so a document grows with its depth, not exponentially.
 */
function selectionSet(type: GraphQLNamedType | undefined, depth: number, noisy: boolean): fc.Arbitrary<string> {
  const field = fieldOf(type, false, noisy).map((f) => f.head);
  const leaf = noisy ? fc.oneof({ weight: 12, arbitrary: field }, fragmentSpread) : field;
  // Objects get a selection (`{ __typename }` at the bottom), anything else now and then (which is an error).
  const nested = fieldOf(type, true, noisy).chain(({ head, returns }) => {
    if (depth === 0) return fc.constant(`${head} ${returns ? '{ __typename }' : ''}`);
    const deeper = selectionSet(returns, depth - 1, noisy);
    const sub = returns ? deeper : noisy ? fc.oneof({ weight: 4, arbitrary: fc.constant('') }, deeper) : fc.constant('');
    return sub.map((set) => `${head} ${set}`);
  });
  return fc.tuple(fc.array(leaf, { maxLength: 3 }), nested, fc.nat()).map(([leaves, inner, at]) => {
    leaves.splice(at % (leaves.length + 1), 0, inner);
    return `{ ${leaves.join(' ')} }`;
  });
}

const operationHead = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('', 'query', 'query Q') },
  fc.constantFrom(
    'mutation',
    'mutation M',
    'subscription',
    'query ($v: Boolean, $first: Int)',
    'query Q($first: Int = 100, $v: Boolean!)',
    'mutation ($input: CreatePostInput!)',
    'query ($where: PostWhere, $v: Int)',
  ),
);
const fragments = mostly('', 'fragment F on Query { viewer { id } }', 'fragment F on User { posts { ...F } }', 'fragment F on Nope { x }');

/** A document over this schema: when noisy, often wrong in some way (and up to 10 deep); else valid or nearly. */
const documentOf = (noisy: boolean) =>
  fc.tuple(noisy ? operationHead : fc.constantFrom('', 'query', 'mutation', 'subscription'), noisy ? fragments : fc.constant('')).chain(([head, frags]) => {
    const root = head.startsWith('mutation') ? schema.getMutationType()! : schema.getQueryType()!; // subscriptions too: there are none
    return selectionSet(root, noisy ? 10 : 5, noisy).map((set) => `${head} ${set} ${frags}`);
  });
const structured = fc.oneof(documentOf(false), documentOf(true));

/** A document with an edit at a random place: cut short, or with characters inserted. */
const mangled = fc.tuple(structured, fc.nat(), fc.string({ unit: 'binary', maxLength: 8 }), fc.boolean()).map(([doc, at, text, cut]) => {
  const i = at % (doc.length + 1);
  return cut ? doc.slice(0, i) : doc.slice(0, i) + text + doc.slice(i);
});

const variables = fc.oneof(
  fc.constant(undefined),
  fc.jsonValue({ maxDepth: 4 }),
  fc.dictionary(fc.constantFrom('v', 'first', 'input', 'where', '__proto__', 'constructor'), fc.jsonValue({ maxDepth: 4 }), { maxKeys: 3 }),
);

/** A request body: mostly `{ query, variables, operationName }`, sometimes of the wrong shape. */
export const requestBodies: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record(
      { query: fc.oneof({ weight: 3, arbitrary: structured }, mangled), variables, operationName: fc.option(fc.constantFrom('Q', 'M', 'Nope')) },
      { requiredKeys: ['query'] },
    ),
  },
  { weight: 1, arbitrary: fc.record({ query: fc.oneof(fc.string(), fc.jsonValue()), variables }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
);
