import { setTimeout as sleep } from 'node:timers/promises';
import { AsyncSlot } from './async-slot';

describe('AsyncSlot', () => {
  const request = new AsyncSlot<string>('request');
  const unit = new AsyncSlot<number>('unit');

  it('holds nothing outside run', () => {
    expect(request.getStore()).toBeUndefined();
  });

  it('carries its value through awaits and timers, and keeps the other slots’ values', async () => {
    const seen = await request.run('r1', () =>
      unit.run(7, async () => {
        await sleep(1);
        const later = await new Promise<[string | undefined, number | undefined]>((resolve) =>
          setTimeout(() => resolve([request.getStore(), unit.getStore()]), 1),
        );
        return later;
      }),
    );
    expect(seen).toEqual(['r1', 7]);
  });

  it('gives an inner run its own value and restores the outer one after it', async () => {
    await request.run('outer', async () => {
      const inner = await request.run('inner', async () => {
        await sleep(1);
        return request.getStore();
      });
      expect(inner).toBe('inner');
      expect(request.getStore()).toBe('outer');
    });
  });

  it('keeps concurrent runs apart', async () => {
    const read = (id: string) =>
      request.run(id, async () => {
        await sleep(Math.random() * 5);
        return request.getStore();
      });
    expect(await Promise.all(['a', 'b', 'c', 'd'].map(read))).toEqual(['a', 'b', 'c', 'd']);
  });
});
