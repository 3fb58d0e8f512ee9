import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import type { NormalizedMedia } from '../../src/config/normalize.js';
import { linuxPlatform } from '../../src/plugins/boot/linux.js';
import type { MediaType, PackResult } from '../../src/plugins/media/types.js';
import { exec } from '../../src/tools/exec.js';
import { usbMediaEntry } from '../devices/_media.js';

export { usbMediaEntry };

export const EPOCH = 1_700_000_000;
export const TOOL_ENV = { SOURCE_DATE_EPOCH: String(EPOCH), TZ: 'UTC', LC_ALL: 'C' };

export interface Scratch {
  dir: string;
  treeDir: string;
  workDir: string;
  cleanup: () => Promise<void>;
}

/** A temp folder with a staged tree shaped like the linux boot image's (stand-in loader files: these images are inspected, not booted). */
export async function scratchTree(files: Record<string, string | Buffer> = {}): Promise<Scratch> {
  const dir = await mkdtemp(join(tmpdir(), 'capmedia-usb-'));
  const treeDir = join(dir, 'tree');
  const workDir = join(dir, 'work');
  await mkdir(workDir, { recursive: true });
  const all: Record<string, string | Buffer> = {
    'EFI/BOOT/BOOTX64.EFI': Buffer.alloc(64 * 1024, 0x4d),
    'syslinux/syslinux.cfg': 'DEFAULT capture\nLABEL capture\n  LINUX /boot/vmlinuz\n',
    'boot/vmlinuz': Buffer.alloc(256 * 1024, 0x6b),
    'SMS/data/TaskSequence.json': '{"name":"Test"}\n',
    'MediaLabel.txt': 'label=Configuration Manager\n',
    ...files,
  };
  for (const [path, body] of Object.entries(all)) {
    await mkdir(dirname(join(treeDir, path)), { recursive: true });
    await writeFile(join(treeDir, path), body);
    await utimes(join(treeDir, path), EPOCH, EPOCH);
  }
  return { dir, treeDir, workDir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Runs a media type's pack the way the pack step does: partialOutput first, then pack. */
export async function packWith(
  type: MediaType,
  scratch: Scratch,
  media: NormalizedMedia,
  output?: string,
): Promise<PackResult & { notices: string[] }> {
  const notices: string[] = [];
  const temp = output ?? type.partialOutput?.(media, scratch.workDir) ?? join(scratch.dir, 'usb.img');
  const result = await type.pack({
    treeDir: scratch.treeDir,
    workDir: scratch.workDir,
    output: temp,
    label: media.label,
    platform: linuxPlatform,
    exec,
    env: TOOL_ENV,
    sourceDateEpoch: Number(TOOL_ENV.SOURCE_DATE_EPOCH),
    notice: (m) => notices.push(m),
    media,
  });
  return { ...result, notices };
}

export function imageMedia(output: string, overrides: Partial<NormalizedMedia> = {}): NormalizedMedia {
  return usbMediaEntry({ device: output, output, ...overrides });
}

/** mtools on the FAT partition at 1 MiB. */
export async function mtool(tool: string, image: string, ...args: string[]) {
  return execa(tool, ['-i', `${image}@@1048576`, ...args], { env: { MTOOLS_SKIP_CHECK: '1' } });
}

/** fsck.fat has no offset option: check a dd copy of the partition. */
export async function fsckPartition(image: string, scratchDir: string): Promise<{ exitCode: number; output: string }> {
  const copy = join(scratchDir, 'partition.img');
  const table = JSON.parse((await execa('sfdisk', ['--json', image])).stdout) as {
    partitiontable: { partitions: Array<{ start: number; size: number }> };
  };
  const { start, size } = table.partitiontable.partitions[0];
  await execa('dd', [
    `if=${image}`,
    `of=${copy}`,
    'bs=1M',
    'iflag=skip_bytes,count_bytes',
    `skip=${start * 512}`,
    `count=${size * 512}`,
    'status=none',
  ]);
  const result = await execa('fsck.fat', ['-n', copy], { reject: false, all: true });
  await rm(copy, { force: true });
  return { exitCode: result.exitCode ?? -1, output: String(result.all) };
}
