import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCommand } from '../test/command';

describe('the db:migrate command line', () => {
  it('exits 1 when it fails, also with the embedded PostgreSQL (whose exit hook would report 0)', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'content-api-cli-'));
    try {
      const env: NodeJS.ProcessEnv = { ...process.env, EMBEDDED_PG_DIR: dataDir, LOG_LEVEL: 'silent' };
      delete env.DATABASE_URL;
      const result = await runCommand('npx', ['ts-node', '--transpile-only', 'src/db/cli.ts', 'sideways'], { env });
      expect(result.output).toMatch(/unknown command sideways/);
      expect(result.code).toBe(1);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
