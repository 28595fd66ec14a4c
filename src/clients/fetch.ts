/** An error of the API's answer: `extensions.code` says what went wrong (UNAUTHENTICATED, BAD_USER_INPUT…). */
export class GraphQLRequestError extends Error {
  constructor(
    readonly status: number,
    readonly errors: { message: string; extensions?: { code?: string } }[],
  ) {
    super(errors.map((error) => `${error.extensions?.code}: ${error.message}`).join('; '));
  }
}

/** One operation with fetch alone: a JSON POST, the token as a bearer token; errors are thrown. */
export async function graphql<Data>(url: string, query: string, variables: object = {}, token?: string): Promise<Data> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) },
    body: JSON.stringify({ query, variables }),
  });
  const answer = (await response.json()) as { data?: Data; errors?: GraphQLRequestError['errors'] };
  if (answer.errors) throw new GraphQLRequestError(response.status, answer.errors);
  return answer.data!;
}
