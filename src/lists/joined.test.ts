import { aPublishedPost, aSignedInUser, aUser } from '../test/factories';
import { useServer } from '../test/server';
import { postId } from '../test/ids';

const api = useServer();

const AUTHOR = `author { id databaseId name email createdAt }`;

describe('authors read with their posts', () => {
  it('answer a page of posts and post(id) as reading each author alone does, email to its owner only', async () => {
    const { user: writer, token } = await aSignedInUser({ name: 'Writer' });
    const other = await aUser({ name: 'Other' });
    const posts = [await aPublishedPost(writer), await aPublishedPost(other), await aPublishedPost(writer)];
    for (const viewer of [undefined, token]) {
      const page = await api.gql(`{ posts(first: 10) { nodes { id ${AUTHOR} } } }`, {}, { token: viewer });
      expect(page.errors).toBeUndefined();
      const nodes = page.data!.posts.nodes as { id: string; author: { id: string; email: string | null } }[];
      expect(nodes).toHaveLength(posts.length);
      for (const node of nodes) {
        const alone = await api.gql(`query ($id: ID!) { user(id: $id) { id databaseId name email createdAt } }`, { id: node.author.id }, { token: viewer });
        expect(node.author).toEqual(alone.data!.user);
        const post = await api.gql(`query ($id: ID!) { post(id: $id) { ${AUTHOR} } }`, { id: node.id }, { token: viewer });
        expect(post.data!.post.author).toEqual(alone.data!.user);
      }
      const own = nodes.filter((node) => node.author.id === nodes.find((n) => n.id === postId(posts[0]!))!.author.id);
      expect(own.map((node) => node.author.email)).toEqual(viewer ? [writer.email, writer.email] : [null, null]);
    }
  });

  it('aliased and fragment-spread author fields all come from the one statement, each with its own fields', async () => {
    const { user: writer, token } = await aSignedInUser({ name: 'Writer' });
    await aPublishedPost(writer);
    const query = `{ posts(first: 5) { nodes { a: author { name } ...More } } } fragment More on Post { b: author { email createdAt } }`;
    const answer = await api.gql(query, {}, { token });
    expect(answer.errors).toBeUndefined();
    const [node] = answer.data!.posts.nodes as { a: object; b: { email: string; createdAt: string } }[];
    expect(node!.a).toEqual({ name: 'Writer' });
    expect(node!.b.email).toBe(writer.email);
    expect(new Date(node!.b.createdAt).getTime()).toBe(new Date(writer.createdAt).getTime());
  });
});
