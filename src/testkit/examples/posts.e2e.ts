import path from 'node:path';
import { expect, test as base, type Page } from '@playwright/test';
import { startTestApi, type TestApi } from '../client';
import { serveFolder } from './static-site';

/** The page's sessionStorage, as the browser has it (the project compiles without the DOM library). */
declare const sessionStorage: { getItem(key: string): string | null; setItem(key: string, value: string): void };

// One test API per Playwright worker: workers run side by side, each with its own server and database.
const test = base.extend<object, { api: TestApi; site: string }>({
  api: [
    // eslint-disable-next-line no-empty-pattern -- Playwright reads a fixture's dependencies from this pattern
    async ({}, use) => {
      const api = await startTestApi();
      await use(api);
      await api.stop();
    },
    { scope: 'worker', timeout: 180_000 },
  ],
  site: [
    // eslint-disable-next-line no-empty-pattern -- Playwright reads a fixture's dependencies from this pattern
    async ({}, use) => {
      const site = await serveFolder(path.join(__dirname, 'page'));
      await use(site.url);
      await site.close();
    },
    { scope: 'worker' },
  ],
});

// Every test starts from the fixtures, whatever the last one did.
test.beforeEach(async ({ api }) => api.reset());

/** Signs the page in as a fixture user: the app reads its token from sessionStorage. */
async function signIn(page: Page, api: TestApi, user: string): Promise<void> {
  const token = await api.tokenFor(user);
  await page.evaluate((value) => sessionStorage.setItem('token', value), token);
  await page.reload();
}

const FIXTURE_POSTS_ADA_SEES = ['Compilers: software for everyone', 'A draft only Ada sees', 'Notes on the analytical engine', 'Welcome to the test API'];

test('Ada sees the fixture posts, publishes one, and a reset takes it away', async ({ page, api, site }) => {
  await page.goto(`${site}/?api=${encodeURIComponent(api.url)}`);
  await expect(page.locator('#viewer')).toHaveText('Not signed in');
  await signIn(page, api, 'ada');
  await expect(page.locator('#viewer')).toHaveText('Signed in as Ada Lovelace');
  await expect(page.getByRole('listitem')).toHaveText(FIXTURE_POSTS_ADA_SEES);

  await page.getByLabel('Title').fill('Written in the browser');
  await page.getByRole('button', { name: 'Publish' }).click();
  await expect(page.getByRole('listitem')).toHaveText(['Written in the browser', ...FIXTURE_POSTS_ADA_SEES]);

  await api.reset();
  await page.reload();
  await expect(page.locator('#viewer')).toContainText('the token is invalid, expired or revoked'); // a reset voids tokens
  await signIn(page, api, 'ada');
  await expect(page.getByRole('listitem')).toHaveText(FIXTURE_POSTS_ADA_SEES);
});

test('an expired token shows the API refusing it', async ({ page, api, site }) => {
  await page.goto(`${site}/?api=${encodeURIComponent(api.url)}`);
  await signIn(page, api, 'grace');
  await expect(page.locator('#viewer')).toHaveText('Signed in as Grace Hopper');
  await api.expireToken(await page.evaluate(() => sessionStorage.getItem('token') ?? ''));
  await page.reload();
  await expect(page.locator('#viewer')).toContainText('the token is invalid, expired or revoked');
});
