// docs/configuration.md names every variable the components read, and docs/README.md links
// every guide in docs/.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const repo = join(import.meta.dirname, '..', '..');
const docs = join(repo, 'docs');

function sources(dir: string): string[] {
  let found: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found = found.concat(sources(path));
    else if (/\.(ts|mjs)$/.test(name) && !/\.test\.|\.d\.ts$/.test(name)) found.push(path);
  }
  return found;
}

/** Names read from an env object: `env.NAME`, `env['NAME']`, or a quoted name in a config list. */
function envNamesIn(text: string): string[] {
  const names = new Set<string>();
  const patterns = [
    /\benv\.((?:PLAYGAP|NATS|EDGEGAP)_[A-Z0-9_]+)/g,
    /\benv\[['"]((?:PLAYGAP|NATS|EDGEGAP)_[A-Z0-9_]+)['"]\]/g,
    /\[['"]((?:PLAYGAP|NATS|EDGEGAP)_[A-Z0-9_]+)['"](?:,\s*['"][A-Z_]+['"])*\]/g,
    /\benv: ['"]((?:PLAYGAP|NATS|EDGEGAP)_[A-Z0-9_]+)['"]/g, // a settings schema entry
  ];
  for (const pattern of patterns) for (const m of text.matchAll(pattern)) names.add(m[1]!);
  return [...names];
}

describe('docs', () => {
  it('sidecar-drop-in.md gives the entrypoint and path the sidecar image really has', () => {
    const guide = readFileSync(join(docs, 'sidecar-drop-in.md'), 'utf8');
    const dockerfile = readFileSync(join(repo, 'docker', 'sidecar.Dockerfile'), 'utf8');
    const entrypoint = /^ENTRYPOINT (\[.*\])$/m.exec(dockerfile)?.[1];
    expect(entrypoint).toBe('["/opt/playgap/bin/playgap-sidecar", "run", "--"]');
    expect(guide).toContain(`ENTRYPOINT ${entrypoint}`);
    expect(guide).toMatch(
      /^COPY --from=ghcr\.io\/[\w-]+\/playgap-sidecar:v[\d.]+ \/opt\/playgap \/opt\/playgap$/m,
    );
    expect(dockerfile).toMatch(/^COPY --from=\w+ \/opt\/playgap \/opt\/playgap$/m);
  });

  it('configuration.md documents every variable the components read', () => {
    const reference = readFileSync(join(docs, 'configuration.md'), 'utf8');
    const dirs = [
      'protocol/src/nats',
      'protocol/src/config',
      'protocol/src/kv',
      'sidecar/src',
      'matchmaker/src',
      'server/src',
      'server-template/src',
      'cli/src',
      'scripts',
    ];
    const missing = new Set<string>();
    for (const dir of dirs) {
      for (const file of sources(join(repo, dir))) {
        for (const name of envNamesIn(readFileSync(file, 'utf8'))) {
          if (!reference.includes(`\`${name}\``))
            missing.add(`${name} (${file.slice(repo.length + 1)})`);
        }
      }
    }
    expect([...missing]).toEqual([]);
  });

  it('finds the variables it checks (the scan is not empty)', () => {
    const config = readFileSync(join(repo, 'matchmaker', 'src', 'settings.ts'), 'utf8');
    expect(envNamesIn(config)).toContain('PLAYGAP_VERSIONS');
    const nats = readFileSync(join(repo, 'protocol', 'src', 'nats', 'settings.ts'), 'utf8');
    expect(envNamesIn(nats)).toEqual(
      expect.arrayContaining(['NATS_CA', 'NATS_CREDS', 'NATS_NKEY']),
    );
  });

  it('README.md links only guides that exist, and the ship guides', () => {
    const index = readFileSync(join(docs, 'README.md'), 'utf8');
    const links = [...index.matchAll(/\]\(([\w.-]+\.md)(?:#[\w-]+)?\)/g)].map((m) => m[1]!);
    for (const link of links) expect(readdirSync(docs), link).toContain(link);
    for (const guide of [
      'deploy-edgegap.md',
      'sidecar-drop-in.md',
      'configuration.md',
      'troubleshooting.md',
      'errors.md',
    ]) {
      expect(links).toContain(guide);
    }
  });
});
