import { Client } from './pg';

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

async function run(adminUrl: string, sql: string): Promise<void> {
  const client = new Client(adminUrl);
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** CREATE DATABASE through a maintenance connection (`adminUrl`), optionally as a copy of `template`. */
export function createDatabase(adminUrl: string, name: string, template?: string): Promise<void> {
  return run(adminUrl, `CREATE DATABASE ${quote(name)}${template ? ` TEMPLATE ${quote(template)}` : ''}`);
}

export function dropDatabase(adminUrl: string, name: string): Promise<void> {
  return run(adminUrl, `DROP DATABASE IF EXISTS ${quote(name)} WITH (FORCE)`);
}
