import { rm, stat, utimes } from 'node:fs/promises';
import { fail } from '../../../errors/index.js';
import { formatBytes } from '../../../config/size.js';
import { splitWim } from '../../../tools/wimlib.js';
import type { Exec } from '../../../tools/exec.js';

/** R7: a FAT32 file holds at most 4 GiB − 1 byte (its size field is 32 bits). */
export const FAT32_MAX_FILE_BYTES = 2 ** 32 - 1;

export interface FileLimits {
  /** Largest file the volume may hold. */
  maxFileBytes: number;
  /** Part size asked of `wimlib-imagex split`, in MiB: below 4 GiB with room for a part to run over. */
  splitPartMiB: number;
}

export const FAT32_LIMITS: FileLimits = { maxFileBytes: FAT32_MAX_FILE_BYTES, splitPartMiB: 3800 };

const isWim = (path: string) => /\.wim$/i.test(path);
const withSizes = (files: ReadonlyArray<{ path: string; size: number }>) =>
  files.map((f) => `${f.path} (${formatBytes(f.size).replace(/ \(.*\)$/, '')})`);

/**
 * Refuses, before anything is written, every file FAT32 cannot hold — all of
 * them in one message. With splitLargeFiles, .wim files pass: pack splits them.
 */
export function checkFileSizes(
  files: ReadonlyArray<{ path: string; size: number }>,
  splitLargeFiles: boolean,
  limits: FileLimits = FAT32_LIMITS,
): void {
  const large = files.filter((f) => f.size > limits.maxFileBytes);
  const refused = splitLargeFiles ? large.filter((f) => !isWim(f.path)) : large;
  if (refused.length === 0) return;
  throw fail('fat32FileTooLarge', {
    limit: formatBytes(limits.maxFileBytes + 1).replace(/ \(.*\)$/, ''),
    files: withSizes(refused),
    wims: refused.some((f) => isWim(f.path)),
    splitLargeFiles,
  });
}

export interface SplitInput {
  /** Files of the staged tree: absolute path plus media path. */
  files: ReadonlyArray<{ path: string; absolute: string; size: number }>;
  limits: FileLimits;
  exec: Exec;
  epoch: number;
  signal?: AbortSignal;
  notice: (message: string) => void;
}

/**
 * Splits each too-large .wim of the staged tree into x.swm, x2.swm, … beside
 * it and removes the .wim. wimlib never cuts one resource, so a part holding a
 * resource larger than the limit is itself too large: that is refused, naming
 * the part, rather than written to a medium that cannot hold it.
 */
export async function splitLargeWims(input: SplitInput): Promise<void> {
  const { limits } = input;
  for (const wim of input.files.filter((f) => isWim(f.path) && f.size > limits.maxFileBytes)) {
    const firstPart = wim.absolute.replace(/\.wim$/i, '.swm');
    const parts = await splitWim(input.exec, wim.absolute, firstPart, limits.splitPartMiB, input.signal);
    const sizes = await Promise.all(parts.map(async (part) => ({ part, size: (await stat(part)).size })));
    const oversized = sizes.filter((p) => p.size > limits.maxFileBytes);
    if (oversized.length) {
      await Promise.all(parts.map((part) => rm(part, { force: true })));
      const names = oversized
        .map((p) => `${p.part.slice(wim.absolute.length - wim.path.length)} (${formatBytes(p.size).replace(/ \(.*\)$/, '')})`)
        .join(', ');
      throw fail('fat32WimPartTooLarge', { path: wim.path, parts: names });
    }
    await Promise.all(parts.map((part) => utimes(part, input.epoch, input.epoch)));
    await rm(wim.absolute);
    input.notice(
      `${wim.path} (${formatBytes(wim.size).replace(/ \(.*\)$/, '')}) was split into ${parts.length} .swm parts for FAT32 (media.splitLargeFiles)`,
    );
  }
}
