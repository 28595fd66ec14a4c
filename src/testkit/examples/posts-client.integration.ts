/// <reference types="jest" />
import { startTestApi, type TestApi } from '../client';
import { postsClient } from './posts-client';

let api: TestApi;

beforeAll(async () => {
  api = await startTestApi();
}, 180_000);
afterAll(() => api?.stop());
// Every test starts from the fixtures, whatever the last one did.
beforeEach(() => api.reset());

const FEED = ['Compilers: software for everyone', 'Notes on the analytical engine', 'Welcome to the test API'];

test('the feed shows the published fixture posts, newest first', async () => {
  expect((await postsClient(api.url).feed()).map((post) => post.title)).toEqual(FEED);
});

test('a signed-in user publishes a post at the head of the feed', async () => {
  const client = postsClient(api.url, await api.tokenFor('grace'));
  const post = await client.publish('Hello from the data layer');
  expect((await client.feed())[0]).toEqual(post);
});

test('the post of the last test is gone', async () => {
  expect((await postsClient(api.url).feed()).map((post) => post.title)).toEqual(FEED);
});

test('publishing needs a sign-in, and a revoked token is refused', async () => {
  await expect(postsClient(api.url).publish('Anonymous')).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  const token = await api.tokenFor('ada');
  await api.revokeToken(token);
  await expect(postsClient(api.url, token).publish('Too late')).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
});
