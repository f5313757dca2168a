// The Node range the README and every package state must admit every installed package: a
// dependency that wants a newer Node makes `npm ci` warn EBADENGINE and may break on 20.19.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const readJson = (path: string) => JSON.parse(readFileSync(join(ROOT, path), 'utf8'));
const root = readJson('package.json');
const lock = readJson('package-lock.json');
const stated: string = root.engines.node;
// The oldest Node the root admits, and this one (npm warns EBADENGINE against the running Node).
const nodes = [semver.minVersion(stated)?.version as string, process.versions.node];

describe('engines', () => {
  it('every workspace states the root Node range', () => {
    const differ = (root.workspaces as string[])
      .map((dir) => [dir, readJson(`${dir}/package.json`).engines?.node] as const)
      .filter(([, range]) => range !== undefined && range !== stated);
    expect(differ).toEqual([]);
  });

  it('every locked package runs on the oldest Node the root admits and on this one', () => {
    const refused = Object.entries(lock.packages as Record<string, Record<string, unknown>>)
      .filter(([path]) => path.includes('node_modules/'))
      .map(([path, entry]) => [path, (entry.engines as { node?: string })?.node] as const)
      .filter(([, range]) => range !== undefined && !nodes.every((v) => semver.satisfies(v, range)))
      .map(([path, range]) => `${path} wants node ${range}`);
    expect(refused, `root engines.node is ${stated}, checked on ${nodes.join(', ')}`).toEqual([]);
  });
});
