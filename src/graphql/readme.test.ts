import { readFileSync } from 'node:fs';
import path from 'node:path';
import { buildSchema, Kind, OperationTypeNode, parse, validate, type OperationDefinitionNode } from 'graphql';
import { packageRoot } from '../config';
import { exampleTabs } from '../explorer/examples';
import { runCommand } from '../test/command';
import { testDb } from '../test/database';
import { urlFor } from '../test/environment';
import { aPublishedPost, aSignedInUser } from '../test/factories';
import { adminUrl } from '../test/scratch';
import { sendGraphQL, useServer, type AnswerData } from '../test/server';
import { DEFAULT_FIXTURES, readFixtures } from '../testkit/fixtures';
import { loadFixtures } from '../testkit/load';

const api = useServer();

/** The README's graphql code blocks, each as it would be pasted into the explorer. */
function readmeBlocks(): string[] {
  const readme = readFileSync(path.join(packageRoot, 'README.md'), 'utf8');
  return [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)].map((match) => match[1]!);
}

const operationsOf = (block: string) =>
  parse(block).definitions.filter((definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION);

/** Runs one operation of a block, the whole block sent as the explorer sends it. */
async function run(block: string, operation: OperationDefinitionNode, token?: string) {
  const { answer } = await sendGraphQL(api.url, { query: block, operationName: operation.name?.value }, { token });
  expect({ operation: operation.name?.value, errors: answer.errors }).toEqual({ operation: operation.name?.value, errors: undefined });
  return answer.data!;
}

describe("the README's GraphQL blocks", () => {
  it('each hold one operation or name every one, so a block pasted whole is a valid document', () => {
    const schema = buildSchema(readFileSync(path.join(packageRoot, 'schema.graphql'), 'utf8'));
    const blocks = readmeBlocks();
    expect(blocks.length).toBeGreaterThanOrEqual(3);
    for (const block of blocks) {
      expect({ block, errors: validate(schema, parse(block)).map((error) => error.message) }).toEqual({ block, errors: [] });
      const operations = operationsOf(block);
      expect(operations.length === 1 || operations.every((operation) => operation.name)).toBe(true);
    }
  });

  it('run in order without errors, the mutations with the token signUp gave', async () => {
    let token: string | undefined;
    for (const block of readmeBlocks()) {
      for (const operation of operationsOf(block)) {
        const data = await run(block, operation, token);
        token ??= (data.signUp as { token?: string } | undefined)?.token;
      }
    }
    expect(token).toEqual(expect.any(String));
  });

  it('have queries that run without errors, signed in or not', async () => {
    const { user, token } = await aSignedInUser({ name: 'Ada' });
    await aPublishedPost(user, { title: 'Middleware in practice' });
    for (const block of readmeBlocks()) {
      for (const operation of operationsOf(block).filter((definition) => definition.operation === OperationTypeNode.QUERY)) {
        await run(block, operation);
        await run(block, operation, token);
      }
    }
  });
});

/** Every list at the root of an answer (`users`, `posts`…), by name. */
const listsOf = (data: AnswerData) => Object.entries(data).filter(([, value]) => Array.isArray((value as { nodes?: unknown } | null)?.nodes));

/** Every list of the README's queries and of the explorer's tabs, run against the data at hand, holds something. */
async function expectEverySearchToFind(): Promise<void> {
  const lists: string[] = [];
  for (const block of readmeBlocks()) {
    for (const operation of operationsOf(block).filter((definition) => definition.operation === OperationTypeNode.QUERY)) {
      for (const [field, list] of listsOf(await run(block, operation))) {
        lists.push(`${operation.name?.value}.${field}`);
        expect({ operation: operation.name?.value, field, found: list.nodes.length > 0 }).toEqual({ operation: operation.name?.value, field, found: true });
      }
    }
  }
  for (const tab of exampleTabs.filter((example) => example.query.includes('\nquery '))) {
    const variables = tab.variables ? (JSON.parse(tab.variables) as Record<string, unknown>) : {};
    if ('id' in variables) continue; // the Refetch tab takes an id from another tab's answer
    const { answer } = await sendGraphQL(api.url, { query: tab.query, variables });
    expect(answer.errors).toBeUndefined();
    for (const [field, list] of listsOf(answer.data!)) {
      lists.push(`tab.${field}`);
      expect({ query: tab.query, found: list.nodes.length > 0 }).toEqual({ query: tab.query, found: true });
    }
  }
  expect(lists).toEqual(expect.arrayContaining(['SearchTitles.posts', 'UsersByName.users', 'tab.posts', 'tab.users']));
}

describe('the example searches find something', () => {
  it("in the data npm run db:seed makes: every list of the README's queries and of the explorer's tabs", async () => {
    const seeded = await runCommand('npm', ['run', '--silent', 'db:seed'], {
      env: { ...process.env, DATABASE_URL: urlFor(adminUrl(), testDb().sequelize.config.database) },
    });
    expect(seeded).toMatchObject({ code: 0 });
    await expectEverySearchToFind();
  }, 120_000);

  it("in the test mode's default fixtures", async () => {
    await loadFixtures(testDb().sequelize, readFixtures(DEFAULT_FIXTURES));
    await expectEverySearchToFind();
  });
});
