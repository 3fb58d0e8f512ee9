import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeFixture } from './fixture.js';
import { measure, type Measurement } from './measure.js';
import type { BenchRow } from './iso.js';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const BOOT_IMAGE = fileURLToPath(new URL('../.capmedia/bootimage-x64', import.meta.url));
const MiB = 2 ** 20;
const ROUNDS = 5;

/** Splitting into N volumes against one ISO of the same content (both warm: content already cached). */
export async function benchSplit(): Promise<BenchRow[]> {
  const fixture = await makeFixture({ largeFiles: 40, largeSize: 16 * MiB, smallFiles: 500, bootImage: BOOT_IMAGE });
  const env = { ...process.env, SOURCE_DATE_EPOCH: '1700000000', CI: 'true' } as Record<string, string>;
  try {
    const write = (size: string, file: string, label: string) =>
      writeFile(
        join(fixture.dir, 'capmedia.config.json'),
        JSON.stringify({
          distributionPoints: [{ name: 'bench', url: fixture.libraryUrl }],
          bootImage: { package: 'BOOT' },
          content: ['DATA'],
          taskSequence: { image: { name: 'Bench' }, destination: 'disk:CAPTURE' },
          media: { type: 'iso', file, size, label, staging: './staging' },
          cache: { dir: './cache' },
        }),
      );
    const build = () => measure('node', [CLI, 'build'], { cwd: fixture.dir, env });
    // Both sides rebuild their own output with a new label each round, as a pipeline refreshing media does: each
    // writes over memory its previous output held. New outputs each round would put both at the mercy of how fast
    // this VM's host backs fresh memory (0.3–3 s per GB here, from one minute to the next), not of splitting.
    await write('unlimited', 'out/one.iso', 'One');
    await build();
    await write('200MB', 'out/set.iso', 'Set');
    await build();
    const ones: Measurement[] = [];
    const sets: Measurement[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      await write('unlimited', 'out/one.iso', `One ${round}`);
      ones.push(await build());
      await write('200MB', 'out/set.iso', `Set ${round}`);
      sets.push(await build());
    }
    const [one, set] = [median(ones.map((m) => m.seconds)), median(sets.map((m) => m.seconds))];
    const [oneCpu, setCpu] = [median(ones.map((m) => m.cpuSeconds)), median(sets.map((m) => m.cpuSeconds))];
    const content = `${((40 * 16 * MiB) / 1e6).toFixed(0)} MB content`;
    const runs = (side: Measurement[]) => side.map((m) => m.seconds.toFixed(2)).join(' ');
    return [
      {
        name: `split into ~4 volumes / one ISO (${content}; set ${runs(sets)}; one ${runs(ones)})`,
        value: set / one,
        unit: '×',
        target: '≤ 1.1',
      },
      // CPU time (user + sys, with the tools) does not move with what else runs on the machine.
      { name: `split CPU / one ISO CPU (${setCpu.toFixed(2)} s / ${oneCpu.toFixed(2)} s)`, value: setCpu / oneCpu, unit: '×' },
    ];
  } finally {
    await fixture.cleanup();
  }
}

function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
}
