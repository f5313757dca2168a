// edgegap-local hands each line a deployment's process writes (stdout and stderr, partial
// lines joined, the last one without a newline included) and its own notes to `onOutput`, with
// the deployment it came from — what `npm start` shows prefixed by the deployment id.

import { waitFor } from '@playgap/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DeploymentOutputLine, EdgegapClient, type EdgegapLocal } from '../src/index.js';
import { startLocal } from './helpers.js';

// Writes "one" in two pieces, a stderr line, and a last line without a newline.
const SCRIPT = [
  "process.stdout.write('o');",
  "setTimeout(() => { process.stdout.write('ne\\ntwo\\r\\n');",
  "console.error('on stderr'); process.stdout.write('no newline'); }, 50);",
].join(' ');

let local: EdgegapLocal;
let edgegap: EdgegapClient;
const lines: DeploymentOutputLine[] = [];

beforeAll(async () => {
  local = await startLocal({
    apps: [
      {
        name: 'game',
        versions: [
          { name: 'talk', command: process.execPath, arguments: ['-e', SCRIPT], ports: [] },
        ],
      },
    ],
    onOutput: (line) => lines.push(line),
  });
  edgegap = new EdgegapClient({ apiUrl: local.url, apiKey: local.apiKey });
});
afterAll(async () => {
  await local.close();
});

describe('deployment output', () => {
  it('goes to onOutput line by line with its deployment id, stderr and the exit note included', async () => {
    const { requestId } = await edgegap.deploy({
      application: 'game',
      version: 'talk',
      users: [{ ipAddress: '1.2.3.4' }],
    });
    await waitFor(() => lines.some((l) => l.line.startsWith('edgegap-local: process exited')), {
      what: 'the exit note',
      timeoutMs: 20_000,
      retryErrors: true,
    });
    const mine = lines.filter((l) => l.requestId === requestId);
    expect(mine.every((l) => l.app === 'game' && l.version === 'talk')).toBe(true);
    // stdout and stderr are two pipes: each keeps its order, not their interleaving.
    const texts = mine.map((l) => l.line);
    expect(texts.filter((l) => l !== 'on stderr')).toEqual([
      'one',
      'two',
      'no newline',
      'edgegap-local: process exited with code 0',
    ]);
    expect(texts.filter((l) => l === 'on stderr')).toHaveLength(1);
    expect(texts.at(-1)).toBe('edgegap-local: process exited with code 0');
  });

  it('refuses an onOutput that is not a function', async () => {
    await expect(startLocal({ onOutput: 'stdout' as never })).rejects.toThrow(
      'edgegap-local: onOutput must be a function',
    );
  });
});
