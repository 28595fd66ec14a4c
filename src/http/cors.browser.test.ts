import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { Post } from '../db/models/post';
import { User } from '../db/models/user';
import { BROWSER_TIMEOUT, launchBrowser } from '../test/browser';
import { useServer, type AnswerData } from '../test/server';
import { parseOrigins } from './origins';

/** The API with the development default (pages on this machine, any port). */
const api = useServer();
/** The API allowing one origin that the test page is not on. */
const strict = useServer({ corsOrigins: parseOrigins('https://app.example.com') });

let browser: Browser;
let pageServer: http.Server;
/** The test page's origin: another loopback port, so every call to the API is cross-origin. */
let pageOrigin: string;

beforeAll(async () => {
  pageServer = http.createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!doctype html><title>A frontend on its own dev server</title>');
  });
  await new Promise<void>((resolve) => pageServer.listen(0, '127.0.0.1', resolve));
  pageOrigin = `http://127.0.0.1:${(pageServer.address() as AddressInfo).port}`;
  browser = await launchBrowser();
}, BROWSER_TIMEOUT);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => pageServer?.close(resolve));
});

/** Opens the test page on its own origin in a fresh browser context. */
async function openPage(): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await page.goto(pageOrigin);
  return page;
}

/** What the page's script got from its fetch calls: each answer's JSON and the headers it could read, or the error. */
type Outcome = { ok: true; status: number; json: AnswerData; requestId: string | null } | { ok: false; error: string };

/** Runs `fetch` inside the page (its origin is the page's), as a frontend's code does. */
function fetchInPage(page: Page, url: string, init: { method: string; headers?: Record<string, string>; body?: string }): Promise<Outcome> {
  return page.evaluate(
    async ({ url, init }) => {
      try {
        const response = await fetch(url, init);
        return {
          ok: true as const,
          status: response.status,
          json: (await response.json()) as AnswerData,
          requestId: response.headers.get('x-request-id'),
        };
      } catch (error) {
        return { ok: false as const, error: String(error) };
      }
    },
    { url, init },
  );
}

const graphqlPost = (query: string, variables: object, token?: string) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) },
  body: JSON.stringify({ query, variables }),
});

const SIGN_UP = 'mutation ($input: SignUpInput!) { signUp(input: $input) { token user { name } } }';
/** The page signs up through the API at `url`. */
const signUpFrom = (page: Page, url: string, email: string) =>
  fetchInPage(page, url, graphqlPost(SIGN_UP, { input: { email, name: 'Single Page', password: 'a long enough password' } }));

it(
  'lets a page on another origin sign up, query and create a post with its token through fetch',
  async () => {
    const page = await openPage();
    const signUp = await signUpFrom(page, api.url, 'spa@example.com');
    expect(signUp).toEqual({
      ok: true,
      status: 200,
      json: { data: { signUp: { token: expect.any(String), user: { name: 'Single Page' } } } },
      requestId: expect.any(String),
    });
    const token = (signUp as Extract<Outcome, { ok: true }>).json.data.signUp.token as string;

    const viewer = await fetchInPage(page, api.url, graphqlPost('{ viewer { name } }', {}, token));
    expect(viewer).toMatchObject({ ok: true, json: { data: { viewer: { name: 'Single Page' } } } });

    const create = await fetchInPage(
      page,
      api.url,
      graphqlPost(
        'mutation ($input: CreatePostInput!) { createPost(input: $input) { post { title } } }',
        { input: { title: 'From the SPA', published: true } },
        token,
      ),
    );
    expect(create).toMatchObject({ ok: true, json: { data: { createPost: { post: { title: 'From the SPA' } } } } });
    const author = await User.findOne({ where: { email: 'spa@example.com' }, rejectOnEmpty: true });
    expect(await Post.count({ where: { authorId: author.id, title: 'From the SPA' } })).toBe(1);

    // A query by GET as urql sends it by default: anonymous, no preflight header, so the browser sends no preflight.
    const byGet = await fetchInPage(page, `${api.url}?query=${encodeURIComponent('{ posts(first: 1) { totalCount } }')}`, { method: 'GET' });
    expect(byGet).toMatchObject({ ok: true, status: 200, json: { data: { posts: { totalCount: 1 } } } });
    // Signed in, the Authorization header makes it preflighted, and it is allowed as well.
    const signedInGet = await fetchInPage(page, `${api.url}?query=${encodeURIComponent('{ viewer { name } }')}`, {
      method: 'GET',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(signedInGet).toMatchObject({ ok: true, json: { data: { viewer: { name: 'Single Page' } } } });
  },
  BROWSER_TIMEOUT,
);

it(
  'blocks a page whose origin is not on the list: fetch rejects, and the mutation never reaches the server',
  async () => {
    const page = await openPage();
    const signUp = await signUpFrom(page, strict.url, 'blocked@example.com');
    expect(signUp).toEqual({ ok: false, error: expect.stringMatching(/Failed to fetch/) });
    expect(await User.count({ where: { email: 'blocked@example.com' } })).toBe(0);
    // A simple GET is sent, but the page may not read its answer.
    expect(await fetchInPage(page, `${strict.url}?query=${encodeURIComponent('{ __typename }')}`, { method: 'GET' })).toEqual({
      ok: false,
      error: expect.stringMatching(/Failed to fetch/),
    });
  },
  BROWSER_TIMEOUT,
);
