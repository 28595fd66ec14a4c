import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { Post } from '../db/models/post';
import { aPublishedPost, aSignedInUser, aUser } from '../test/factories';
import { BROWSER_TIMEOUT, launchBrowser } from '../test/browser';
import { useServer } from '../test/server';
import { waitFor } from '../test/faults';
import { activeSubscriptions } from '../live/test-clients';

/** The README shows it; every run of this test draws it again. */
const SCREENSHOT = path.join(__dirname, 'screenshot.png');

const api = useServer({ explorer: true });
let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
}, BROWSER_TIMEOUT);

afterAll(async () => {
  await browser?.close();
});

/** Opens the explorer in a fresh browser context, recording every request and every error the page reports. */
async function openExplorer(): Promise<{ page: Page; requests: string[]; problems: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 760 } });
  const page = await context.newPage();
  const requests: string[] = [];
  const problems: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  page.on('pageerror', (error) => problems.push(error.message));
  // Content-Security-Policy violations are reported here.
  page.on('console', (message) => message.type() === 'error' && problems.push(message.text()));
  await page.goto(api.url);
  await page.locator('.graphiql-container .graphiql-query-editor .CodeMirror').waitFor();
  return { page, requests, problems };
}

/** Runs the operation of the selected tab with the run button, and reads the result pane once it shows `expected`. */
async function run(page: Page, expected: string): Promise<string> {
  await page.locator('.graphiql-execute-button').click();
  const result = page.locator('.graphiql-response');
  try {
    await result.getByText(expected).first().waitFor();
  } catch (error) {
    // Say what the pane shows instead (an error answer, say), not only that the wait ran out.
    throw new Error(`the result pane never showed ${JSON.stringify(expected)}; it shows: ${await result.innerText()}`, { cause: error });
  }
  return result.innerText();
}

/**
 * Waits until the query editor has parsed the operation named `name`. GraphiQL parses the editor's text 100 ms after
 * it changes and sends a run by what it parsed: a run before that sends the new text under the previous tab's
 * operation name (refused as an unknown operation), or a subscription as a POST.
 */
async function waitForParsed(page: Page, name: string): Promise<void> {
  type Editor = { CodeMirror: { operationName?: string | null } };
  await page.waitForFunction(({ element, name }) => (element as unknown as Editor).CodeMirror.operationName === name, {
    element: await page.locator('.graphiql-query-editor .CodeMirror').elementHandle(),
    name,
  });
}

/** Opens the example tab of the operation named `name`, ready to run. */
async function openTab(page: Page, name: string): Promise<void> {
  await page.locator('.graphiql-tab', { hasText: name }).click();
  await waitForParsed(page, name);
}

/**
 * Puts `text` in an editor of the selected tab. GraphiQL fills a tab's editors from the tab's state a moment
 * after the tab opens, and on a busy machine that can come after our text: it is put in until it stays there.
 */
async function setEditor(page: Page, editor: 'query' | 'headers', text: string): Promise<void> {
  const selector = editor === 'query' ? '.graphiql-query-editor .CodeMirror' : '.graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror';
  const codeMirror = page.locator(selector);
  type Editor = { CodeMirror: { setValue(text: string): void; getValue(): string } };
  for (let attempt = 0; attempt < 20; attempt += 1) {
    await codeMirror.evaluate((element: Editor, value) => element.CodeMirror.setValue(value), text);
    await page.waitForTimeout(250);
    if ((await codeMirror.evaluate((element: Editor) => element.CodeMirror.getValue())) === text) return;
  }
  throw new Error(`the ${editor} editor would not keep ${text}`);
}

function leftTheServer(requests: string[]): string[] {
  const origin = new URL(api.url).origin;
  return requests.filter((url) => new URL(url).origin !== origin && !url.startsWith('data:'));
}

it(
  'runs the nested users and posts example against the database, loading nothing from outside this server',
  async () => {
    const ada = await aUser({ name: 'Ada Lovelace' });
    const grace = await aUser({ name: 'Grace Hopper' });
    const at = (day: number) => new Date(Date.UTC(2026, 10, day, 9));
    await aPublishedPost(ada, { title: 'Notes on the Analytical Engine', createdAt: at(1) });
    await aPublishedPost(ada, { title: 'Bernoulli numbers, step by step', createdAt: at(2) });
    await aPublishedPost(grace, { title: 'A compiler for everyone', createdAt: at(3) });

    const { page, requests, problems } = await openExplorer();
    const result = await run(page, 'Bernoulli numbers, step by step');
    expect(result).toContain('Notes on the Analytical Engine');
    expect(result).toContain('A compiler for everyone');
    expect(result).toContain('"totalCount": 2');
    await page.screenshot({ path: SCREENSHOT });
    // The schema came through introspection: the documentation lists the API's root types.
    await page
      .getByRole('button', { name: /Documentation Explorer/ })
      .first()
      .click();
    await page.locator('.graphiql-doc-explorer').getByText('Mutation').first().waitFor();

    expect(requests.length).toBeGreaterThan(4);
    expect(leftTheServer(requests)).toEqual([]);
    expect(problems).toEqual([]);
  },
  BROWSER_TIMEOUT,
);

it(
  'creates a post as the user whose token is put in the headers editor',
  async () => {
    const { user, token } = await aSignedInUser({ name: 'Katherine Johnson' });
    const { page, requests, problems } = await openExplorer();
    await openTab(page, 'CreatePost');

    // The headers editor is open on the tab, showing where the token goes.
    const headers = page.locator('.graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror');
    await expect(headers.innerText()).resolves.toContain('Bearer <token from signUp or logIn>');
    await setEditor(page, 'headers', `{"Authorization": "Bearer ${token}"}`);

    const result = await run(page, 'Katherine Johnson');
    expect(result).toContain('"title": "Hello"');
    expect(await Post.count({ where: { authorId: user.id, title: 'Hello' } })).toBe(1);
    expect(leftTheServer(requests)).toEqual([]);
    expect(problems).toEqual([]);
  },
  BROWSER_TIMEOUT,
);

it(
  'signs up a new address in each browser that opens the explorer, so the SignUp tab works every time',
  async () => {
    const emails: string[] = [];
    for (let visit = 0; visit < 2; visit += 1) {
      const { page, problems } = await openExplorer();
      await openTab(page, 'SignUp');
      await page
        .getByRole('button', { name: /Variables/ })
        .first()
        .click();
      const variables = page.locator('.graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror');
      await variables.getByText('@example.com').first().waitFor();
      const email = /"email": "([^"]+)"/.exec(await variables.evaluate((editor: { CodeMirror: { getValue(): string } }) => editor.CodeMirror.getValue()))![1]!;
      expect(email).toMatch(/^ada\.[a-z0-9]+@example\.com$/);
      const result = await run(page, email);
      expect(result).toContain('"token"');
      expect(problems).toEqual([]);
      emails.push(email);
      await page.context().close();
    }
    expect(new Set(emails).size).toBe(2);
  },
  BROWSER_TIMEOUT,
);

it(
  "shows in one window's NewPosts subscription the post another window's CreatePost publishes, over a WebSocket",
  async () => {
    const { token } = await aSignedInUser({ name: 'Dorothy Vaughan' });
    const watcher = await openExplorer();
    await openTab(watcher.page, 'NewPosts');
    const before = await activeSubscriptions(api.url);
    await watcher.page.locator('.graphiql-execute-button').click();
    await waitFor('the subscription to start', async () => (await activeSubscriptions(api.url)) > before, 60_000);

    const writer = await openExplorer();
    await openTab(writer.page, 'CreatePost');
    await setEditor(writer.page, 'headers', `{"Authorization": "Bearer ${token}"}`);
    await run(writer.page, 'Dorothy Vaughan');

    const result = watcher.page.locator('.graphiql-response');
    await result.getByText('Dorothy Vaughan').first().waitFor();
    expect(await result.innerText()).toMatch(/"postPublished": \{[\s\S]*"title": "Hello"/);
    // Still live: the run button stops it.
    await watcher.page.locator('.graphiql-execute-button').click();
    await waitFor('the subscription to end', async () => (await activeSubscriptions(api.url)) === before, 60_000);

    expect(leftTheServer([...watcher.requests, ...writer.requests])).toEqual([]);
    expect([...watcher.problems, ...writer.problems]).toEqual([]);
  },
  BROWSER_TIMEOUT,
);

it(
  "signs a subscription in with the headers editor's token, as a query",
  async () => {
    const { token } = await aSignedInUser({ name: 'Mary Jackson' });
    const { page, problems } = await openExplorer();
    await openTab(page, 'NewPosts');
    await setEditor(page, 'query', 'subscription Mine { viewerPostsChanged { kind post { title } } }');
    await waitForParsed(page, 'Mine');
    // Without a token, the server refuses it.
    const result = await run(page, 'UNAUTHENTICATED');
    expect(result).not.toContain('"kind"');
    // GraphiQL logs the refused subscription's errors (an array) to the console too; nothing else went wrong.
    expect(problems).toEqual(['Array(1)']);
    problems.length = 0;

    await setEditor(page, 'headers', `{"Authorization": "Bearer ${token}"}`);
    const before = await activeSubscriptions(api.url);
    await page.locator('.graphiql-execute-button').click();
    await waitFor('the subscription to start', async () => (await activeSubscriptions(api.url)) > before, 60_000);
    const created = await api.gql('mutation { createPost(input: { title: "A draft of my own", content: "…" }) { post { id } } }', {}, { token });
    expect(created.errors).toBeUndefined();
    await page.locator('.graphiql-response').getByText('A draft of my own').first().waitFor();
    expect(await page.locator('.graphiql-response').innerText()).toContain('"kind": "CREATED"');
    expect(problems).toEqual([]);
  },
  BROWSER_TIMEOUT,
);
