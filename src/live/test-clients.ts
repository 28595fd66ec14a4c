import { createClient as createSseClient } from 'graphql-sse';
import { createClient as createWsClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each test names the shape in its document, as AnswerData does
type AnyData = Record<string, any>;

/** What a test subscriber has received: payloads, the error that ended it, or that it completed. */
export interface Received<Data = AnyData> {
  data: Data[];
  errors: { message: string; extensions?: { code?: string } }[];
  completed: boolean;
  stop(): void;
}

export type Transport = 'websocket' | 'sse';

/** A graphql-ws client (the one Apollo Client, urql and Relay use) on a real socket to the server at `url`. */
export function wsClient(url: string | (() => string), token?: string, options: { retryAttempts?: number; lazy?: boolean } = {}): Client {
  const urlNow = typeof url === 'string' ? () => url : url;
  return createWsClient({
    url: () => urlNow().replace(/^http/, 'ws'),
    retryWait: () => new Promise((resolve) => setTimeout(resolve, 100)),
    webSocketImpl: WebSocket,
    connectionParams: token ? { Authorization: `Bearer ${token}` } : {},
    retryAttempts: options.retryAttempts ?? 0,
    lazy: options.lazy ?? true,
    onNonLazyError: () => undefined, // a test sees what it expects through its subscriptions
  });
}

/** Subscribes over `transport`, collecting what arrives in the object returned. */
export function subscribe(
  transport: Transport,
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  token?: string,
  client?: Client,
): Received {
  const received: Received = { data: [], errors: [], completed: false, stop: () => undefined };
  const sink = {
    next: (result: { data?: unknown; errors?: readonly unknown[] }) => {
      if (result.errors) received.errors.push(...(result.errors as Received['errors']));
      else received.data.push(result.data as AnyData);
    },
    error: (error: unknown) => {
      // graphql-sse: a refused stream is an error holding the HTTP answer, whose body says why.
      const response = (error as { response?: globalThis.Response }).response;
      if (response) {
        void response.json().then((body) => received.errors.push(...(body as { errors: Received['errors'] }).errors));
        return;
      }
      received.errors.push(
        ...(Array.isArray(error)
          ? (error as Received['errors'])
          : [{ message: String((error as Error)?.message ?? error), extensions: { code: `CLOSED ${(error as { code?: number })?.code ?? ''}`.trim() } }]),
      );
    },
    complete: () => (received.completed = true),
  };
  if (transport === 'websocket') {
    const ws = client ?? wsClient(url, token);
    const unsubscribe = ws.subscribe({ query, variables }, sink);
    received.stop = () => {
      unsubscribe();
      if (!client) void ws.dispose();
    };
  } else {
    const sse = createSseClient({ url: `${url}/stream`, headers: token ? { Authorization: `Bearer ${token}` } : {}, retryAttempts: 0 });
    const unsubscribe = sse.subscribe({ query, variables }, sink);
    received.stop = () => {
      unsubscribe();
      sse.dispose();
    };
  }
  return received;
}

/** Active subscriptions of the server at `url`, as its /metrics reports them. */
export async function activeSubscriptions(url: string): Promise<number> {
  const text = await (await fetch(new URL('/metrics', url))).text();
  return [...text.matchAll(/^live_subscriptions\{[^}]*\} (\d+)/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
}
