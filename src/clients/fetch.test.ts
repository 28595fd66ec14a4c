import { useServer } from '../test/server';
import { graphql, GraphQLRequestError } from './fetch';

const api = useServer();

describe('plain fetch', () => {
  it('signs up, creates a post with the token, and reads it back', async () => {
    const { signUp } = await graphql<{ signUp: { token: string } }>(api.url, 'mutation SignUp($input: SignUpInput!) { signUp(input: $input) { token } }', {
      input: { email: 'fetch@example.com', name: 'Fetch', password: 'a long enough password' },
    });
    await graphql(
      api.url,
      'mutation CreatePost($input: CreatePostInput!) { createPost(input: $input) { post { id } } }',
      { input: { title: 'By fetch', published: true } },
      signUp.token,
    );
    const data = await graphql<{ viewer: { posts: { nodes: { title: string }[] } } }>(
      api.url,
      'query Mine { viewer { posts { nodes { title } } } }',
      {},
      signUp.token,
    );
    expect(data.viewer.posts.nodes).toEqual([{ title: 'By fetch' }]);
  });

  it('throws the codes of a refused request: 401 UNAUTHENTICATED for a token the API does not accept', async () => {
    const refused = await graphql(api.url, '{ viewer { id } }', {}, 'no-such-token').catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(GraphQLRequestError);
    expect(refused).toMatchObject({ status: 401, message: expect.stringMatching(/^UNAUTHENTICATED: /) });
  });
});
