import { explorerEnabled, loadConfig } from '../config';
import { useServer, type AnswerData } from '../test/server';
import { aPublishedPost, aUser } from '../test/factories';
import { packageAssets } from './assets';
import { AUTHORIZATION_HINT, exampleTabs, FRESH, type ExampleTab } from './examples';
import { pageAssets } from './page';
import { activeSubscriptions, subscribe } from '../live/test-clients';
import { waitFor } from '../test/faults';

const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';
const origin = (url: string) => new URL(url).origin;

/** The URLs of the scripts, stylesheets and icons a page names. */
function referencedUrls(html: string): string[] {
  return [...html.matchAll(/<(?:script|link)\b[^>]*\b(?:src|href)="([^"]+)"/g)].map((match) => match[1]!);
}

describe('the explorer, when on', () => {
  const client = useServer({ explorer: true });

  it("serves GraphiQL to a browser's GET /graphql under a policy that allows this server only", async () => {
    const response = await fetch(client.url, { headers: { accept: BROWSER_ACCEPT } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const policy = response.headers.get('content-security-policy')!;
    expect(policy).toContain("script-src 'self'");
    expect(policy).toContain("connect-src 'self'");
    expect(policy).not.toMatch(/unsafe-(inline|eval)|https?:/);
    const html = await response.text();
    expect(html).toContain('<div id="graphiql">');
    expect(html).not.toMatch(/<script>|<style|\sstyle=|https?:\/\//);
  });

  it('serves every file the page names from this server, cacheable for a year', async () => {
    const html = await (await fetch(client.url, { headers: { accept: BROWSER_ACCEPT } })).text();
    const urls = referencedUrls(html).filter((url) => !url.startsWith('data:'));
    expect(urls).toEqual(expect.arrayContaining([packageAssets.react.url, packageAssets.graphiql.url, packageAssets.graphiqlStyle.url]));
    for (const url of urls) {
      expect(url).toMatch(/^\/graphql\/explorer\//);
      const response = await fetch(origin(client.url) + url);
      expect({ url, status: response.status }).toEqual({ url, status: 200 });
      expect(response.headers.get('cache-control')).toMatch(/max-age=31536000.*immutable/);
      expect(response.headers.get('content-type')).toMatch(url.endsWith('.css') ? /^text\/css/ : /javascript/);
      expect((await response.text()).length).toBeGreaterThan(20);
    }
  });

  it('serves no other file of the packages', async () => {
    const manifest = packageAssets.graphiql.url.replace('dist/index.umd.js', 'package.json');
    const response = await fetch(origin(client.url) + manifest);
    expect(response.status).not.toBe(200);
  });

  it('leaves JSON requests over GET and POST to Apollo', async () => {
    const url = `${client.url}?query=${encodeURIComponent('{ posts(first: 1) { totalCount } }')}`;
    const overGet = await fetch(url, { headers: { accept: 'application/json', 'apollo-require-preflight': 'true' } });
    expect(overGet.status).toBe(200);
    expect(await overGet.json()).toEqual({ data: { posts: { totalCount: 0 } } });
    const noAccept = await fetch(url, { headers: { 'apollo-require-preflight': 'true' } });
    expect(noAccept.headers.get('content-type')).toMatch(/^application\/json/);
    expect((await client.gql('{ __typename }')).data).toEqual({ __typename: 'Query' });
  });
});

/** A subscription tab runs over a WebSocket, not over POST (the subscription test below runs it). */
const isSubscription = (tab: ExampleTab) => tab.query.includes('\nsubscription ');

describe('the example tabs', () => {
  const client = useServer();

  /** Runs the tabs in order, as a visitor would, with the page's random letters for FRESH; their answers. */
  async function runTabs(fresh: string): Promise<AnswerData[]> {
    let token: string | undefined;
    const answers = [];
    for (const tab of exampleTabs.filter((example) => !isSubscription(example))) {
      if (tab.headers) expect(tab.headers).toBe(AUTHORIZATION_HINT);
      const variables = tab.variables ? (JSON.parse(tab.variables.split(FRESH).join(fresh)) as Record<string, unknown>) : {};
      // The Refetch tab reads again, by its id, the post the CreatePost tab made.
      if (tab.query.includes('node(id: $id)')) variables.id = (answers.at(-1) as { createPost: { post: { id: string } } }).createPost.post.id;
      const answer = await client.gql(tab.query, variables, { token });
      expect({ query: tab.query, errors: answer.errors }).toEqual({ query: tab.query, errors: undefined });
      token ??= answer.data?.signUp?.token;
      answers.push(answer.data!);
    }
    return answers;
  }

  it('run without errors in order: the queries, then signUp, whose token createPost uses', async () => {
    await aPublishedPost(await aUser({ name: 'Ada' }), { title: 'Middleware in practice' });
    const answers = await runTabs('first');
    expect(answers).toEqual([
      { users: expect.objectContaining({ nodes: [expect.objectContaining({ name: 'Ada', posts: expect.objectContaining({ totalCount: 1 }) })] }) },
      { posts: expect.objectContaining({ nodes: [expect.objectContaining({ title: 'Middleware in practice' })] }) },
      { signUp: expect.objectContaining({ token: expect.any(String), user: expect.objectContaining({ email: 'ada.first@example.com' }) }) },
      { createPost: { post: expect.objectContaining({ title: 'Hello', author: { name: 'Ada' } }) } },
      { node: expect.objectContaining({ __typename: 'Post', id: answers[3]!.createPost.post.id, title: 'Hello', author: { name: 'Ada' } }) },
    ]);
  });

  it('sign up a new address each time the page makes them, so running them again works too', async () => {
    const tab = exampleTabs.find((example) => example.query.includes('mutation SignUp'))!;
    expect(tab.variables).toContain(FRESH);
    await runTabs('again1');
    await runTabs('again2');
    // The page draws the letters in the browser each time it makes its tabs.
    const startScript = pageAssets.find((asset) => asset.url.includes('/start.'))!;
    expect(await (await fetch(origin(client.url) + startScript.url)).text()).toMatch(/Math\.random\(\)[\s\S]*split\("\{fresh\}"\)\.join\(fresh\)/);
  });

  it('include a subscription that receives the post the CreatePost tab publishes', async () => {
    const [tab] = exampleTabs.filter(isSubscription);
    const before = await activeSubscriptions(client.url);
    const received = subscribe('websocket', client.url, tab!.query);
    try {
      await waitFor('the subscription to start', async () => received.errors.length > 0 || (await activeSubscriptions(client.url)) > before);
      await runTabs('live');
      await waitFor('the post', () => received.data.length > 0 || received.errors.length > 0);
      expect(received).toMatchObject({ errors: [], data: [{ postPublished: { title: 'Hello', author: { name: 'Ada' } } }] });
    } finally {
      received.stop();
    }
  });
});

describe('the explorer, when off', () => {
  const client = useServer({ explorer: false });

  it("does not serve a page to a browser's GET /graphql, nor Apollo's landing page", async () => {
    const response = await fetch(client.url, { headers: { accept: BROWSER_ACCEPT } });
    expect(response.headers.get('content-type')).not.toMatch(/html/);
    const body = await response.text();
    expect(body).not.toMatch(/graphiql|<script|apollographql/i);
  });

  it('serves none of its files', async () => {
    for (const asset of [packageAssets.graphiql, packageAssets.react]) {
      expect((await fetch(origin(client.url) + asset.url)).status).not.toBe(200);
    }
  });
});

describe('the EXPLORER setting', () => {
  it('is on by default, except in production', () => {
    expect(explorerEnabled(loadConfig({}))).toBe(true);
    expect(explorerEnabled(loadConfig({ NODE_ENV: 'test' }))).toBe(true);
    expect(explorerEnabled(loadConfig({ NODE_ENV: 'production' }))).toBe(false);
  });

  it('turns it on or off anywhere', () => {
    expect(explorerEnabled(loadConfig({ NODE_ENV: 'production', EXPLORER: 'on' }))).toBe(true);
    expect(explorerEnabled(loadConfig({ EXPLORER: 'off' }))).toBe(false);
  });

  it('refuses other values, naming the variable', () => {
    expect(() => loadConfig({ EXPLORER: 'yes' })).toThrow(/EXPLORER/);
  });
});
