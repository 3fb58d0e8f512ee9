import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runAgentOnHost } from '../test/capture/_host-agent.js';
import { hostCapture, makeWindowsDisk, ntfsFixtureProblem } from '../test/_helpers/windisk.js';
import type { BenchRow } from './iso.js';
import { execa } from 'execa';

/**
 * The capture agent's WIM capture against bare `wimlib-imagex capture` of
 * the same NTFS volume, on this machine: the agent's own scripts run with
 * busybox against the disk image file (test/capture/_host-agent.ts), the
 * same code the boot image runs, minus QEMU (whose emulation would measure
 * TCG, not the agent). The agent's time is what its progress lines say:
 * from "capturing partition" to "captured" (the capture), and to
 * "verified" (plus re-reading, sha256 and wimlib-imagex verify). Both sides
 * read the volume from the page cache and use LZX on every core with the
 * same exclusions. Medians of three.
 */

const MiB = 2 ** 20;
const RANDOM_MIB = 48;
const TEXT_MIB = 48;

export async function benchCaptureWim(): Promise<BenchRow[]> {
  const problem = await ntfsFixtureProblem();
  if (problem) {
    console.warn(`bench: no WIM capture row: ${problem}`);
    return [];
  }
  const work = await mkdtemp(join(tmpdir(), 'capmedia-bench-wim-'));
  try {
    const disk = await makeWindowsDisk(work, { randomMiB: RANDOM_MIB, textMiB: TEXT_MIB, ntfsMiB: 160 });
    const bare: number[] = [];
    const agent: Array<{ capture: number; verified: number }> = [];
    for (let round = 0; round < 3; round++) {
      const wim = join(work, `bare-${round}.wim`);
      bare.push(await timeBare(disk.volume, wim, work));
      await rm(wim, { force: true });
      agent.push(await timeAgent(disk.image, work, round));
    }
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[1];
    const data = RANDOM_MIB + TEXT_MIB;
    const bareSeconds = median(bare);
    const captureSeconds = median(agent.map((run) => run.capture));
    const verifiedSeconds = median(agent.map((run) => run.verified));
    return [
      { name: `WIM capture ${data} MiB NTFS: bare wimlib-imagex capture`, value: (data * MiB) / 1e6 / bareSeconds, unit: 'MB/s' },
      { name: `WIM capture ${data} MiB NTFS: capture agent`, value: (data * MiB) / 1e6 / captureSeconds, unit: 'MB/s' },
      { name: 'WIM capture throughput: agent vs bare wimlib-imagex', value: bareSeconds / captureSeconds, unit: '×', target: '≥ 0.95' },
      { name: 'WIM capture + verification (sha256, wimlib verify) vs bare capture', value: bareSeconds / verifiedSeconds, unit: '×' },
    ];
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function timeBare(volume: string, wim: string, work: string): Promise<number> {
  // Dirty pages of the previous run are written back first, so they do not slow this one.
  await execa('sync', [], { reject: false });
  const started = process.hrtime.bigint();
  await hostCapture(volume, wim, work);
  return Number(process.hrtime.bigint() - started) / 1e9;
}

async function timeAgent(image: string, work: string, round: number): Promise<{ capture: number; verified: number }> {
  const dest = join(work, `dest-${round}`);
  await mkdir(dest);
  await execa('sync', [], { reject: false });
  const run = await runAgentOnHost({ disk: image, destinationDir: dest, taskSequence: { image: { name: 'Bench', version: '1' } } });
  await rm(dest, { recursive: true, force: true });
  if (run.exitCode !== 0) throw new Error(`the capture agent failed:\n${run.output.slice(-3000)}`);
  const at = (pattern: RegExp) => Number(new RegExp(`\\[([\\d.]+)s\\] ${pattern.source}`).exec(run.output)?.[1] ?? NaN);
  const start = at(/capturing partition 2/);
  return { capture: at(/partition 2 captured/) - start, verified: at(/verified \S+\.wim/) - start };
}
