import fs from 'node:fs';
import path from 'node:path';
import { environment, loadConfig, packageRoot } from './config';

/** .env.example's variables: `NAME=default`, or `# NAME=example` for one without a default. */
function documented(): { name: string; value: string; commented: boolean }[] {
  const text = fs.readFileSync(path.join(packageRoot, '.env.example'), 'utf8');
  return [...text.matchAll(/^(#\s*)?([A-Z][A-Z0-9_]*)=(.*)$/gm)].map(([, hash, name, value]) => ({
    name: name!,
    value: value!,
    commented: Boolean(hash),
  }));
}

describe('.env.example', () => {
  it('documents every variable of the configuration schema, and no other', () => {
    const names = documented().map((variable) => variable.name);
    expect([...names].sort()).toEqual(Object.keys(environment.shape).sort());
    expect(new Set(names).size).toBe(names.length);
  });

  it('gives each variable the default the server really uses (or, commented out, one it accepts)', () => {
    const defaults = loadConfig({});
    for (const { name, value, commented } of documented()) {
      const parsed = loadConfig({ [name]: value })[name as keyof typeof defaults];
      if (commented) continue; // an example value: accepted (loadConfig did not throw), not a default
      const expected = defaults[name as keyof typeof defaults];
      // A default path the server makes absolute from the project folder is documented relative to it.
      const isProjectPath = typeof expected === 'string' && path.isAbsolute(expected) && path.join(packageRoot, value) === expected;
      expect({ name, value: isProjectPath ? expected : parsed }).toEqual({ name, value: expected });
    }
  });

  it('keeps the simple format: each variable preceded by a comment line', () => {
    const lines = fs.readFileSync(path.join(packageRoot, '.env.example'), 'utf8').split('\n');
    lines.forEach((line, i) => {
      if (/^[A-Z][A-Z0-9_]*=/.test(line)) expect({ line, before: lines[i - 1]?.startsWith('#') }).toEqual({ line, before: true });
    });
  });
});

describe('loadConfig', () => {
  it('refuses a transaction pooler without a direct URL to LISTEN at, naming the variable', () => {
    const pooled = { DATABASE_URL: 'postgres://api@pgbouncer:6432/content', DB_TRANSACTION_POOLER: 'true' };
    expect(() => loadConfig(pooled)).toThrow(/DATABASE_LISTEN_URL: with DB_TRANSACTION_POOLER=true, set it to a direct PostgreSQL URL/);
    expect(loadConfig({ ...pooled, DATABASE_LISTEN_URL: 'postgres://api@db:5432/content' }).DB_TRANSACTION_POOLER).toBe('true');
    expect(loadConfig({ DATABASE_URL: pooled.DATABASE_URL }).DB_TRANSACTION_POOLER).toBe('false');
  });
});

describe('DB_READ_YOUR_WRITES_SECONDS', () => {
  it('defaults to the replica lag bound, and may not be shorter than it', () => {
    expect(loadConfig({}).DB_READ_YOUR_WRITES_SECONDS).toBeUndefined();
    expect(loadConfig({ DB_REPLICA_MAX_LAG_SECONDS: '5', DB_READ_YOUR_WRITES_SECONDS: '5' }).DB_READ_YOUR_WRITES_SECONDS).toBe(5);
    expect(() => loadConfig({ DB_REPLICA_MAX_LAG_SECONDS: '10', DB_READ_YOUR_WRITES_SECONDS: '3' })).toThrow(
      /DB_READ_YOUR_WRITES_SECONDS: must be at least DB_REPLICA_MAX_LAG_SECONDS \(10\)/,
    );
  });
});
