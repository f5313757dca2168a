import { describe, expect, it } from 'vitest';
import { KeyedLock } from './version-lock.js';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe('KeyedLock', () => {
  it('runs calls for one key one after another, and calls for other keys meanwhile', async () => {
    const locks = new KeyedLock();
    const order: string[] = [];
    const gate = deferred();
    const first = locks.run('1.0.0', async () => {
      order.push('a start');
      await gate.promise;
      order.push('a end');
    });
    const second = locks.run('1.0.0', async () => {
      order.push('b');
    });
    await locks.run('2.0.0', async () => {
      order.push('other version');
    });
    expect(order).toEqual(['a start', 'other version']);
    gate.resolve();
    await Promise.all([first, second]);
    expect(order).toEqual(['a start', 'other version', 'a end', 'b']);
  });

  it('lets the next call run after one fails, passes the failure to its caller, and drops idle keys', async () => {
    const locks = new KeyedLock();
    const failed = locks.run('v', async () => {
      throw new Error('deploy refused');
    });
    const next = locks.run('v', async () => 'ran');
    await expect(failed).rejects.toThrow('deploy refused');
    await expect(next).resolves.toBe('ran');
    expect(locks.size).toBe(0);
  });
});
