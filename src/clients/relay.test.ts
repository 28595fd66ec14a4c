import {
  createOperationDescriptor,
  fetchQuery,
  getRequest,
  getSelector,
  type ConcreteRequest,
  type Environment,
  type OperationDescriptor,
  type ReaderFragment,
} from 'relay-runtime';
import { Post } from '../db/models/post';
import { aPublishedPost, aUser } from '../test/factories';
import { postId } from '../test/ids';
import { useServer } from '../test/server';
import { artifact, compileRelayDocuments } from './relay/artifacts';
import { createRelayEnvironment } from './relay/environment';

const api = useServer();

type Card = { id: string; title: string; version: number; author: { name: string } };
type Feed = { posts: { edges: { node: { id: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string } } };

let compilerOutput: string;
beforeAll(async () => {
  compilerOutput = await compileRelayDocuments();
}, 60_000);

/** What a fragment reads from the store for the object (or query) that spreads it, as a component would. */
function read<T>(environment: Environment, fragment: ReaderFragment, owner: object): T {
  const selector = getSelector(fragment, owner);
  if (selector == null || selector.kind !== 'SingularReaderSelector') throw new Error('no selector');
  return environment.lookup(selector).data as T;
}

/** Fetches an operation and keeps its data in the store (as a mounted component would). */
async function load(environment: Environment, query: ConcreteRequest, variables: object): Promise<OperationDescriptor> {
  const operation = createOperationDescriptor(getRequest(query), variables);
  environment.retain(operation);
  await fetchQuery(environment, query, variables).toPromise();
  return operation;
}

describe('Relay, with artifacts compiled by relay-compiler', () => {
  it('compiles the documents against the schema', () => {
    expect(compilerOutput).toMatch(/Compilation completed/);
    expect(artifact<ConcreteRequest>('PostCardRefetchQuery').params.text).toMatch(/node\(id: \$id\)/);
  });

  it('pages a @connection forward: each page joins the list, every visible post once', async () => {
    const author = await aUser();
    const posts = [];
    for (let day = 1; day <= 5; day += 1) posts.push(await aPublishedPost(author, { title: `Day ${day}`, createdAt: new Date(Date.UTC(2026, 0, day)) }));
    const environment = createRelayEnvironment(api.url, () => null);
    const feed = await load(environment, artifact('FeedQuery'), {});
    const readFeed = () => read<Feed>(environment, artifact('Feed_query'), environment.lookup(feed.fragment).data);
    expect(readFeed().posts.edges).toHaveLength(2);
    while (readFeed().posts.pageInfo.hasNextPage) {
      await fetchQuery(environment, artifact('FeedPaginationQuery'), { count: 2, cursor: readFeed().posts.pageInfo.endCursor }).toPromise();
    }
    expect(readFeed().posts.edges.map((edge) => edge.node.id)).toEqual(posts.reverse().map(postId));
  });

  it('refetches a @refetchable fragment through node(id:), and every view of the post shows the new data', async () => {
    const post = await aPublishedPost(await aUser({ name: 'Ada' }), { title: 'First title' });
    const environment = createRelayEnvironment(api.url, () => null);
    const feed = await load(environment, artifact('FeedQuery'), {});
    const edge = read<Feed>(environment, artifact('Feed_query'), environment.lookup(feed.fragment).data).posts.edges[0]!;
    expect(read<Card>(environment, artifact('PostCard_post'), edge.node)).toEqual({
      id: postId(post),
      title: 'First title',
      version: 0,
      author: { name: 'Ada' },
    });

    await Post.update({ title: 'Second title', version: 1 }, { where: { id: post.id } });
    await fetchQuery(environment, artifact('PostCardRefetchQuery'), { id: edge.node.id }).toPromise();
    expect(read<Card>(environment, artifact('PostCard_post'), edge.node)).toEqual({
      id: postId(post),
      title: 'Second title',
      version: 1,
      author: { name: 'Ada' },
    });
  });
});
