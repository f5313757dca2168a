/**
 * One terminal per guide, as a reader following it has: bash in the repository root, the
 * workspaces' bins on PATH, and what one block exports still set for the next. Background
 * blocks (servers) run in their own process group, are waited on until their ready line, and
 * get SIGINT (Ctrl-C) when the guide is done. Services a marker asks for (nats-server,
 * edgegap-local) are started once per guide and stopped with it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { startEdgegapLocal } from '@playgap/edgegap';
import { freePort, type RunningNatsServer, startNatsServer, trackChild } from '@playgap/testkit';
import { REPO, type ShellBlock } from './guide-blocks.js';

/** Variables a developer's own shell may have that would change what a block does. */
const ISOLATED = /^(PLAYGAP_|NATS_|EDGEGAP_|ARBITRIUM_)/;

/** How long a foreground block may run, and a background one may take to print its ready line. */
export const FOREGROUND_TIMEOUT_MS = 60_000;
export const READY_TIMEOUT_MS = 120_000;
/** How long a background block may take to exit after Ctrl-C (npm start stops game servers). */
const STOP_TIMEOUT_MS = 15_000;

interface Background {
  block: ShellBlock;
  child: ChildProcess;
  output: () => string;
  exited: Promise<void>;
  untrack: () => void;
}

function tail(text: string, chars = 4000): string {
  return text.length > chars ? `…${text.slice(-chars)}` : text;
}

export class GuideShell {
  private env: Record<string, string>;
  private readonly closers: (() => Promise<void>)[] = [];
  private readonly background: Background[] = [];
  private nats?: RunningNatsServer;
  private edgegapStarted = false;
  private dir?: string;

  constructor() {
    const inherited = Object.entries(process.env).filter(
      (entry): entry is [string, string] => entry[1] !== undefined && !ISOLATED.test(entry[0]),
    );
    this.env = Object.fromEntries(inherited);
    this.env.PATH = [join(REPO, 'node_modules', '.bin'), this.env.PATH ?? ''].join(delimiter);
  }

  /** Provide what the block's `env:` marker asks for (each service once per guide). */
  private async provide(block: ShellBlock): Promise<void> {
    for (const item of block.markers.env) {
      if (item === 'nats') {
        if (!this.nats) {
          const nats = await startNatsServer();
          this.nats = nats;
          this.closers.push(() => nats.stop());
        }
        this.env.NATS_URL = this.nats.url;
      } else if (item === 'edgegap') {
        if (!this.edgegapStarted) {
          // The app and version the guides use, as a reader registers them (edgegap.md,
          // `--config`): the matchmaker checks at start that Edgegap has both.
          const local = await startEdgegapLocal({
            port: 0,
            apps: [
              {
                name: 'arena',
                versions: [
                  {
                    name: '1.0.0',
                    command: process.execPath,
                    arguments: ['-e', 'setTimeout(() => {}, 60_000)'],
                    ports: [{ name: 'game', port: 7000, protocol: 'TCP', to_check: false }],
                  },
                ],
              },
            ],
          });
          this.closers.push(() => local.close());
          this.env.EDGEGAP_API_URL = local.url;
          this.env.EDGEGAP_API_KEY = local.apiKey;
          this.edgegapStarted = true;
        }
      } else if (item.startsWith('free-port:')) {
        this.env[item.slice('free-port:'.length)] = String(await freePort());
      } else if (/^[A-Z_][A-Z0-9_]*=/.test(item)) {
        const at = item.indexOf('=');
        this.env[item.slice(0, at)] = item.slice(at + 1);
      } else {
        throw new Error(`${block.guide}:${block.line}: unknown env item "${item}"`);
      }
    }
  }

  private async scratch(): Promise<string> {
    this.dir ??= await mkdtemp(join(tmpdir(), 'playgap-docs-'));
    return this.dir;
  }

  /** Run a foreground block; resolves with its output, rejects (with the output) on failure. */
  async run(block: ShellBlock): Promise<string> {
    await this.provide(block);
    if (block.markers.background) return this.start(block);
    const envFile = join(await this.scratch(), 'env');
    // The block's own text, then its environment for the next block (as the reader's shell).
    const script = `set -euo pipefail\n${block.script}\nenv -0 > "$PLAYGAP_DOCS_ENV_FILE"\n`;
    const child = spawn('bash', ['-c', script], {
      cwd: REPO,
      env: { ...this.env, PLAYGAP_DOCS_ENV_FILE: envFile },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const untrack = trackChild(child);
    let output = '';
    child.stdout?.on('data', (c: Buffer) => {
      output += c.toString();
    });
    child.stderr?.on('data', (c: Buffer) => {
      output += c.toString();
    });
    const timer = setTimeout(() => killGroup(child, 'SIGKILL'), FOREGROUND_TIMEOUT_MS);
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    clearTimeout(timer);
    untrack();
    const where = `${block.guide}:${block.line}`;
    if (code !== 0)
      throw new Error(`${where}: the block exited with ${code ?? 'a signal'}:\n${tail(output)}`);
    const next: Record<string, string> = {};
    for (const entry of (await readFile(envFile, 'utf8')).split('\0')) {
      const at = entry.indexOf('=');
      if (at > 0) next[entry.slice(0, at)] = entry.slice(at + 1);
    }
    delete next.PLAYGAP_DOCS_ENV_FILE;
    delete next.SHLVL;
    delete next._;
    delete next.PWD;
    delete next.OLDPWD;
    this.env = next;
    return output;
  }

  /** Start a background block and wait for its ready line; named groups become variables. */
  private async start(block: ShellBlock): Promise<string> {
    const ready = block.markers.background?.ready as RegExp;
    const child = spawn('bash', ['-c', `set -euo pipefail\n${block.script}`], {
      cwd: REPO,
      env: this.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const untrack = trackChild(child);
    let output = '';
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const where = `${block.guide}:${block.line}`;
    this.background.push({ block, child, output: () => output, exited, untrack });
    const match = await new Promise<RegExpExecArray>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `${where}: no line matching ${ready} within ${READY_TIMEOUT_MS} ms:\n${tail(output)}`,
            ),
          ),
        READY_TIMEOUT_MS,
      );
      const onData = (c: Buffer) => {
        output += c.toString();
        for (const line of output.split('\n')) {
          const found = ready.exec(line);
          if (found) {
            clearTimeout(timer);
            resolve(found);
            return;
          }
        }
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      void exited.then(() => {
        clearTimeout(timer);
        reject(
          new Error(
            `${where}: exited (${child.exitCode}) before its ready line ${ready}:\n${tail(output)}`,
          ),
        );
      });
    });
    Object.assign(this.env, match.groups ?? {});
    return output;
  }

  /** Ctrl-C every background block (newest first), then stop the services; nothing is left. */
  async close(): Promise<string[]> {
    const problems: string[] = [];
    for (const running of this.background.reverse()) {
      const { child, block } = running;
      if (child.exitCode === null && child.signalCode === null) {
        killGroup(child, 'SIGINT');
        const stopped = await Promise.race([
          running.exited.then(() => true),
          new Promise<boolean>((r) => setTimeout(() => r(false), STOP_TIMEOUT_MS)),
        ]);
        if (!stopped) {
          problems.push(
            `${block.guide}:${block.line}: still running ${STOP_TIMEOUT_MS} ms after Ctrl-C:\n${tail(running.output())}`,
          );
          killGroup(child, 'SIGKILL');
          await running.exited;
        }
      }
      running.untrack();
    }
    this.background.length = 0;
    for (const closer of this.closers.reverse()) await closer();
    this.closers.length = 0;
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
    return problems;
  }
}

/** Signal the block's whole process group (bash and what it started), as a terminal does. */
function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}
