/** A frontend's data layer, as a team would have it: GraphQL over fetch, errors as exceptions. */
export interface Post {
  id: string;
  title: string;
}

export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function postsClient(url: string, token?: string) {
  async function gql<T>(query: string, variables: object = {}): Promise<T> {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) },
      body: JSON.stringify({ query, variables }),
    });
    const { data, errors } = (await response.json()) as { data?: T; errors?: { message: string; extensions: { code: string } }[] };
    if (errors?.length) throw new ApiError(errors[0]!.extensions.code, errors[0]!.message);
    return data!;
  }
  return {
    async feed(): Promise<Post[]> {
      return (await gql<{ posts: { nodes: Post[] } }>('{ posts(first: 20) { nodes { id title } } }')).posts.nodes;
    },
    async publish(title: string): Promise<Post> {
      const query = 'mutation ($title: NonEmptyString!) { createPost(input: { title: $title, published: true }) { post { id title } } }';
      return (await gql<{ createPost: { post: Post } }>(query, { title })).createPost.post;
    },
  };
}
