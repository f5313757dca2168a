// Stretch proof: headless Chromium opens a WebTransport session to an HTTP/3 server that uses
// the sidecar's certificate, pinned by `serverCertificateHashes` = the sidecar's digest
// (ECDSA P-256, ≤ 14 days: what Chromium demands), and refuses it with another hash.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { trackChild } from '@playgap/testkit';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCertificate, type ServerCertificate } from '../src/certificate.js';

const DENO = fileURLToPath(new URL('../../node_modules/deno/deno', import.meta.url));
const SERVER = fileURLToPath(new URL('./fixtures/wt-echo-server.ts', import.meta.url));
const CHROMIUM = '/usr/bin/chromium';
/** What this suite needs and is missing; it fails with this reason rather than skip unseen. */
const missing = [
  existsSync(DENO) ? '' : `${DENO} (the deno devDependency: npm ci)`,
  existsSync(CHROMIUM) ? '' : `${CHROMIUM} (bash scripts/install-system-deps.sh)`,
].filter(Boolean);

let dir: string;
let cert: ServerCertificate;
let deno: ChildProcess | undefined;
let wtPort: number;
let page: Server;
let pageUrl: string;
let browser: Browser | undefined;

beforeAll(async () => {
  if (missing.length > 0) {
    throw new Error(`the WebTransport browser test cannot run: missing ${missing.join(' and ')}`);
  }
  dir = await mkdtemp(join(tmpdir(), 'sidecar-wt-'));
  cert = await createCertificate({
    dir,
    publicIp: '127.0.0.1',
    validityMs: 13 * 86_400_000,
    now: Date.now(),
  });
  deno = spawn(
    DENO,
    [
      'run',
      '--quiet',
      '--unstable-net',
      '--allow-net',
      '--allow-read',
      SERVER,
      cert.certFile,
      cert.keyFile,
    ],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH ?? '', DENO_DIR: join(dir, 'deno'), NO_COLOR: '1' },
    },
  );
  trackChild(deno);
  wtPort = await new Promise<number>((resolve, reject) => {
    let text = '';
    const onData = (chunk: Buffer) => {
      text += chunk.toString();
      const m = /wt-echo: listening (\d+)/.exec(text);
      if (m?.[1]) resolve(Number(m[1]));
    };
    deno?.stdout?.on('data', onData);
    deno?.stderr?.on('data', onData);
    deno?.once('exit', (code) => reject(new Error(`deno exited ${code}: ${text}`)));
  });
  // A page on http://127.0.0.1 is a secure context, which WebTransport requires.
  page = createServer((_req, res) => res.end('<!doctype html><title>wt</title>'));
  await new Promise<void>((resolve) => page.listen(0, '127.0.0.1', resolve));
  const address = page.address();
  pageUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox'],
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  deno?.kill('SIGKILL');
  await new Promise<void>((resolve) => (page ? page.close(() => resolve()) : resolve()));
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The slice of the browser's WebTransport this test uses (Node's types do not have it). */
type BrowserWebTransport = new (
  url: string,
  options: { serverCertificateHashes: { algorithm: string; value: Uint8Array }[] },
) => {
  ready: Promise<void>;
  createBidirectionalStream(): Promise<{
    writable: WritableStream<Uint8Array>;
    readable: ReadableStream<Uint8Array>;
  }>;
  close(): void;
};

async function echoThroughBrowser(hashBase64: string): Promise<string> {
  const tab = await browser!.newPage();
  try {
    await tab.goto(pageUrl);
    return await tab.evaluate(
      async ({ url, hash }) => {
        const value = Uint8Array.from(atob(hash), (c) => c.charCodeAt(0));
        try {
          // Runs in Chromium, which has WebTransport; Node's types do not know it.
          const WebTransportCtor = (globalThis as unknown as { WebTransport: BrowserWebTransport })
            .WebTransport;
          const wt = new WebTransportCtor(url, {
            serverCertificateHashes: [{ algorithm: 'sha-256', value }],
          });
          await Promise.race([
            wt.ready,
            new Promise((_, reject) =>
              setTimeout(() => reject(new Error('ready timeout')), 10_000),
            ),
          ]);
          const stream = await wt.createBidirectionalStream();
          const writer = stream.writable.getWriter();
          await writer.write(new TextEncoder().encode('ping'));
          const reader = stream.readable.getReader();
          let text = '';
          const deadline = Date.now() + 10_000;
          while (text.length < 4 && Date.now() < deadline) {
            const { value: chunk, done } = await Promise.race([
              reader.read(),
              new Promise<never>((_, reject) =>
                setTimeout(() => reject(new Error('echo timeout')), 10_000),
              ),
            ]);
            if (done) break;
            text += new TextDecoder().decode(chunk);
          }
          wt.close();
          return `echo:${text}`;
        } catch (error) {
          return `error:${String(error)}`;
        }
      },
      { url: `https://127.0.0.1:${wtPort}/wt`, hash: hashBase64 },
    );
  } finally {
    await tab.close();
  }
}

describe('the certificate in a browser', () => {
  it('lets Chromium open WebTransport with serverCertificateHashes = the sidecar digest', async () => {
    expect(await echoThroughBrowser(cert.certHashBase64)).toBe('echo:ping');
  });

  it('is refused by Chromium when the pinned hash is another one', async () => {
    const wrong = Buffer.alloc(32, 7).toString('base64');
    expect(await echoThroughBrowser(wrong)).toMatch(/^error:/);
  });
});
