/**
 * The shell blocks of the guides and the HTML-comment markers right above them, which tell the
 * docs test how to run each block (markers are invisible on GitHub):
 *
 *   <!-- env: nats edgegap free-port:PLAYGAP_PORT NAME=value -->   what the test provides
 *   <!-- run: background, ready: REGEX -->   start, wait for a line matching REGEX (named
 *                                            groups become variables of the later blocks),
 *                                            stop it with SIGINT (Ctrl-C) after the guide
 *   <!-- needs: edgegap -->                  not run: needs what the test cannot have
 *   <!-- skip: REASON -->                    not run, for the reason given
 *   <!-- guide-test: NAME -->                run by docker/test/guide.test.ts instead
 *
 * A block without a marker runs in the foreground and must exit 0.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

export const REPO = join(import.meta.dirname, '..', '..');

/** Fence languages that are shell commands. */
const SHELL_LANGUAGES = new Set(['sh', 'bash', 'shell', 'console']);

/** What a block needs that no test on this machine has, and why. */
export const NEEDS: Readonly<Record<string, string>> = {
  edgegap: 'an Edgegap account and API key',
  vps: 'Docker on your own server (the VPS of deploy-edgegap.md)',
  github: 'your fork on GitHub',
  cluster: 'a NATS cluster of several machines (docs/multi-region.md)',
};

export interface Markers {
  /** Services and variables the test provides: `nats`, `edgegap`, `free-port:NAME`, `NAME=value`. */
  env: string[];
  background?: { ready: RegExp };
  needs?: string;
  skip?: string;
  guideTest?: string;
}

export interface ShellBlock {
  /** Path from the repository root, e.g. `docs/quick-start.md`. */
  guide: string;
  /** 1-based line of the opening fence. */
  line: number;
  language: string;
  script: string;
  markers: Markers;
}

/** The guides whose shell blocks must run: README.md and every docs/*.md. */
export function guideFiles(): string[] {
  const docs = join(REPO, 'docs');
  return [
    join(REPO, 'README.md'),
    ...readdirSync(docs)
      .filter((name) => name.endsWith('.md'))
      .sort()
      .map((name) => join(docs, name)),
  ];
}

/** Parse one marker comment's body into `markers`; throws on anything unknown. */
function readMarker(body: string, markers: Markers, where: string): void {
  const [key, ...rest] = body.split(':');
  const value = rest.join(':').trim();
  switch (key?.trim()) {
    case 'env':
      markers.env.push(...value.split(/\s+/).filter(Boolean));
      return;
    case 'run': {
      const match = /^background,\s*ready:\s*(.+)$/.exec(value);
      if (!match?.[1]) throw new Error(`${where}: write <!-- run: background, ready: REGEX -->`);
      markers.background = { ready: new RegExp(match[1]) };
      return;
    }
    case 'needs':
      if (!NEEDS[value])
        throw new Error(
          `${where}: needs "${value}" is not one of ${Object.keys(NEEDS).join(', ')}`,
        );
      markers.needs = value;
      return;
    case 'skip':
      if (!value) throw new Error(`${where}: <!-- skip: --> needs a reason`);
      markers.skip = value;
      return;
    case 'guide-test':
      markers.guideTest = value;
      return;
    default:
      // Other comments (editor notes) are not markers.
      return;
  }
}

/**
 * Every shell block of one guide with its markers (the comment lines directly above the fence).
 *
 * @example
 * const blocks = shellBlocks(join(REPO, 'docs/quick-start.md'));
 */
export function shellBlocks(file: string): ShellBlock[] {
  const guide = relative(REPO, file);
  const lines = readFileSync(file, 'utf8').split('\n');
  const blocks: ShellBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)\s*$/.exec(lines[i] ?? '');
    if (!open) continue;
    const language = open[1] ?? '';
    const start = i;
    let end = i + 1;
    while (end < lines.length && !/^```\s*$/.test(lines[end] ?? '')) end++;
    if (end >= lines.length) throw new Error(`${guide}:${start + 1}: unclosed code fence`);
    i = end;
    if (!SHELL_LANGUAGES.has(language)) continue;
    const markers: Markers = { env: [] };
    for (let m = start - 1; m >= 0; m--) {
      const comment = /^<!--(.*)-->\s*$/.exec(lines[m] ?? '');
      if (!comment) break;
      readMarker(comment[1]?.trim() ?? '', markers, `${guide}:${m + 1}`);
    }
    let body = lines.slice(start + 1, end);
    if (language === 'console') {
      // `$ command` lines (and their `\` continuations); the rest is shown output.
      const commands: string[] = [];
      let continued = false;
      for (const text of body) {
        if (continued || text.startsWith('$ ')) {
          commands.push(continued ? text : text.slice(2));
          continued = text.endsWith('\\');
        }
      }
      body = commands;
    }
    blocks.push({ guide, line: start + 1, language, script: body.join('\n'), markers });
  }
  return blocks;
}

/** Why a block is not run here, or undefined when it runs. */
export function notRunBecause(block: ShellBlock): string | undefined {
  const { needs, skip, guideTest } = block.markers;
  if (needs) return `needs ${NEEDS[needs]}`;
  if (skip) return skip;
  if (guideTest) return `run by docker/test/guide.test.ts as "${guideTest}"`;
  return undefined;
}
