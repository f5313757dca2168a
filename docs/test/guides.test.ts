// Every shell block of README.md and docs/*.md runs here as written, guide by guide, in one
// terminal per guide (guide-shell.ts): a block without a marker must exit 0, a background block
// must print its ready line and stop on Ctrl-C. Blocks marked as needing what this machine
// cannot have (Edgegap, your VPS, your GitHub fork) are listed with the reason, never silently
// left out. Needs `npx tsc -b` first (the bins run the built code), as `npm test` does.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { guideFiles, notRunBecause, REPO, type ShellBlock, shellBlocks } from './guide-blocks.js';
import { FOREGROUND_TIMEOUT_MS, GuideShell, READY_TIMEOUT_MS } from './guide-shell.js';

const guides = guideFiles().map((file) => ({ file, blocks: shellBlocks(file) }));
const notRun: string[] = [];

afterAll(() => {
  const ran = guides.flatMap((g) => g.blocks).filter((b) => !notRunBecause(b)).length;
  console.log(
    `docs: ${ran} shell blocks ran; ${notRun.length} not run here:\n  ${notRun.join('\n  ')}`,
  );
});

function title(block: ShellBlock): string {
  const first = block.script.split('\n').find((l) => l.trim() && !l.startsWith('#')) ?? '';
  return `line ${block.line}: ${first.trim().slice(0, 70)}`;
}

for (const { file, blocks } of guides) {
  if (blocks.length === 0) continue;
  const guide = blocks[0]?.guide ?? file;
  describe(guide, () => {
    const shell = new GuideShell();
    afterAll(async () => {
      expect(await shell.close()).toEqual([]);
    });

    for (const block of blocks) {
      const reason = notRunBecause(block);
      if (reason) {
        notRun.push(`${block.guide}:${block.line}: ${reason}`);
        it(`${title(block)} (not run: ${reason})`, () => {
          if (block.markers.guideTest) {
            const test = readFileSync(join(REPO, 'docker/test/guide.test.ts'), 'utf8');
            expect(test, 'docker/test/guide.test.ts runs it').toContain(
              `guideBlock('${block.markers.guideTest}')`,
            );
          }
        });
        continue;
      }
      const timeout =
        (block.markers.background ? READY_TIMEOUT_MS : FOREGROUND_TIMEOUT_MS) + 30_000;
      it(title(block), { timeout }, async () => {
        await shell.run(block);
      });
    }
  });
}

describe('the docs test itself', () => {
  it('finds shell blocks and runs most of them', () => {
    const all = guides.flatMap((g) => g.blocks);
    expect(all.length).toBeGreaterThan(10);
    expect(all.filter((b) => !notRunBecause(b)).length).toBeGreaterThan(all.length / 3);
  });
});
