import fs from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../config';
import { NODE_FLAGS } from './targets';

describe('benchmark targets', () => {
  it('run with the Node flags npm start gives the server', () => {
    const { scripts } = JSON.parse(fs.readFileSync(path.join(packageRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    // `exec`: npm's shell hands its place to node, so the signals npm passes on reach the server (src/npm-start.test.ts).
    expect(scripts.start).toBe(`exec node ${NODE_FLAGS.join(' ')} dist/src/index.js`);
  });
});
