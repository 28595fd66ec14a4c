/** What a raw HTTP exchange gave: status, headers, and the body as JSON when it is JSON. */
export interface RawResponse {
  status: number;
  headers: Headers;
  contentType: string;
  json?: { data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] };
  text: string;
}

/** Sends anything at all to the server (bodies, methods and headers a well-behaved client would not). */
export async function sendRaw(
  url: string,
  {
    method = 'POST',
    headers = { 'content-type': 'application/json' },
    body,
  }: { method?: string; headers?: Record<string, string>; body?: string | Uint8Array } = {},
): Promise<RawResponse> {
  const response = await fetch(url, { method, headers, body });
  const text = await response.text();
  const contentType = response.headers.get('content-type') ?? '';
  return {
    status: response.status,
    headers: response.headers,
    contentType,
    json: contentType.startsWith('application/json') ? JSON.parse(text) : undefined,
    text,
  };
}

/** The first error code of a JSON answer. */
export const codeOf = (response: RawResponse) => response.json?.errors?.[0]?.extensions?.code;
