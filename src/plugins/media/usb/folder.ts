import { copyFile, mkdir, readFile, realpath, rename, rm, stat, statfs, utimes } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fail, ioError } from '../../../errors/index.js';
import { formatBytes } from '../../../config/size.js';
import { mountOf, readMounts } from '../../../devices/mounts.js';
import type { SystemRoots } from '../../../devices/roots.js';
import type { FolderFile } from '../../../library/walk.js';
import { readFatKind } from '../../../tools/fat.js';
import type { Exec } from '../../../tools/exec.js';
import { requireFat32 } from './existing.js';
import { OWN_FILES_LIST, parseOwnFilesList } from './tree.js';

/**
 * format: false onto a mounted FAT32 volume (media.device is its folder). The
 * folder must be the volume's root — boot loaders are found only there — and
 * the mount must be vfat; the boot sector tells FAT32 from FAT12/16 when the
 * device can be read.
 */
export async function checkMountedFat32(roots: SystemRoots, folder: string, notice?: (message: string) => void): Promise<void> {
  const mount = await mountOf(await readMounts(roots), folder);
  const real = await realpath(folder).catch(() => folder);
  if (!mount || mount.mountPoint !== real) {
    throw fail('folderNotVolumeRoot', { folder, mountPoint: mount?.mountPoint });
  }
  if (mount.fsType !== 'vfat' && mount.fsType !== 'msdos') {
    throw fail('folderNotFat', { folder, fsType: mount.fsType });
  }
  const kind = await readFatKind(mount.source, 0).catch(() => undefined);
  if (kind) requireFat32(`${folder} (${mount.source})`, kind);
  else notice?.(`could not read ${mount.source} to tell FAT32 from FAT12/16; copied onto ${folder} as a vfat volume`);
}

/** Copies the tree into the mounted volume, each file by temp-then-rename; only capmedia's listed files are removed. */
export async function copyOntoFolder(
  folder: string,
  files: readonly FolderFile[],
  epoch: number,
  exec: Exec,
): Promise<{ removed: string[] }> {
  const previous = parseOwnFilesList(await readFile(join(folder, OWN_FILES_LIST), 'utf8').catch(() => undefined));
  const wanted = new Set(files.map((f) => f.path.toLowerCase()));
  const stale = previous.filter((p) => !wanted.has(p.toLowerCase()));
  await checkRoom(folder, files);
  for (const path of stale) await rm(join(folder, path), { force: true });
  for (const file of files) await copyOne(file, join(folder, file.path), epoch);
  // FAT sticks are pulled out without ceremony: get the data onto the stick before saying "done".
  await exec('sync', ['-f', join(folder, OWN_FILES_LIST)]).catch(() => undefined);
  return { removed: stale };
}

async function copyOne(file: FolderFile, target: string, epoch: number): Promise<void> {
  const temp = join(dirname(target), `.${basename(target)}.capmedia-partial`);
  try {
    await mkdir(dirname(target), { recursive: true });
    await copyFile(file.absolute, temp);
    await utimes(temp, epoch, epoch);
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true });
    throw ioError('copy onto the stick', target, error);
  }
}

async function checkRoom(folder: string, files: readonly FolderFile[]): Promise<void> {
  const info = await statfs(folder);
  const free = info.bavail * info.bsize;
  const sizes = await Promise.all(
    files.map((f) =>
      stat(join(folder, f.path)).then(
        (s) => s.size,
        () => 0,
      ),
    ),
  );
  const needed = files.reduce((sum, f, i) => sum + Math.max(0, f.size - sizes[i]), 0);
  if (free < needed) {
    throw fail('folderTooSmall', { folder, free: formatBytes(free), needed: formatBytes(needed) });
  }
}
