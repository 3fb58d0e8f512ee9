import { lutimes, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { checkReplaceableFolder, replaceOutputFolder } from '../fs/output-folder.js';
import { withScratchFolder } from '../fs/atomic.js';

/**
 * Writing the boot image folder: it is built in a temp sibling and swapped
 * into place at the end, so outDir is either the old image or the new one,
 * never half of one.
 */

/**
 * Runs build(tempDir) and, only if it succeeds, replaces outDir with tempDir.
 * outDir must be absent, empty or a boot image capmedia wrote (it holds
 * `marker`): checked before any work, and again before the swap.
 */
export async function replaceDirectory<T>(outDir: string, marker: string, build: (tempDir: string) => Promise<T>): Promise<T> {
  const folder = { path: outDir, marker, key: 'the boot image folder (--out)' };
  await checkReplaceableFolder(folder);
  return withScratchFolder(outDir, async (tempDir) => {
    const result = await build(tempDir);
    await replaceOutputFolder(tempDir, folder);
    return result;
  });
}

/** Sets every mtime under dir (and dir itself) to epoch seconds, children first. */
export async function normalizeMtimes(dir: string, epoch: number): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await normalizeMtimes(path, epoch);
    else await lutimes(path, epoch, epoch);
  }
  await lutimes(dir, epoch, epoch);
}
