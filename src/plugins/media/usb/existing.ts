import { fail, ioError } from '../../../errors/index.js';
import type { FolderFile } from '../../../library/walk.js';
import type { Exec } from '../../../tools/exec.js';
import { readFatKind } from '../../../tools/fat.js';
import { copyFiles, deleteFiles, listVolume, makeFolders, readVolumeText, type FatVolume } from '../../../tools/mtools.js';
import { isFatPartitionType, readPartitions, SECTOR_BYTES } from '../../../tools/sfdisk.js';
import { foldersOf, OWN_FILES_LIST, parseOwnFilesList } from './tree.js';

/**
 * format: false (R6 "off"): the drive or image is already FAT32 and bootable;
 * the media tree is copied onto it. Only capmedia's own files are replaced or
 * removed (those listed on the volume by the previous build); everything else
 * on it belongs to the user.
 */

/** The FAT32 volume of an image or drive: its first FAT partition, or the whole thing when unpartitioned. */
export async function findFat32Volume(exec: Exec, file: string, env: Record<string, string>, signal?: AbortSignal): Promise<FatVolume> {
  const partitions = await readPartitions(exec, file);
  const fat = partitions.find((p) => isFatPartitionType(p.type));
  if (partitions.length && !fat) {
    throw fail('noFatPartition', { file, types: partitions.map((p) => p.type) });
  }
  const offset = fat ? fat.start * SECTOR_BYTES : 0;
  const kind = await readFatKind(file, offset).catch((error) => {
    throw ioError('read the boot sector of', file, error);
  });
  requireFat32(`${file}${fat ? ` (partition ${fat.number})` : ''}`, kind);
  return { file, offset, env, signal };
}

export function requireFat32(what: string, kind: string): void {
  if (kind === 'FAT32') return;
  const found = kind === 'unknown' ? 'no FAT file system' : kind;
  throw fail('volumeNotFat32', { what, found });
}

/** Copies the tree onto the volume, replacing capmedia's own files and removing those it no longer carries. */
export async function copyOntoFat32Volume(
  exec: Exec,
  volume: FatVolume,
  files: readonly FolderFile[],
): Promise<{ replaced: number; removed: string[] }> {
  const existing = new Set((await listVolume(exec, volume)).map((p) => p.toLowerCase()));
  const previous = parseOwnFilesList(await readVolumeText(exec, volume, OWN_FILES_LIST));
  // FAT compares names without case.
  const wanted = new Set(files.map((f) => f.path.toLowerCase()));
  const stale = previous.filter((p) => !wanted.has(p.toLowerCase()) && existing.has(p.toLowerCase()));
  if (stale.length) await deleteFiles(exec, volume, stale);
  const folders = new Set([...existing].filter((p) => p.endsWith('/')).map((p) => p.slice(0, -1)));
  await makeFolders(exec, volume, foldersOf(files), folders);
  await copyFiles(
    exec,
    volume,
    files.map((f) => ({ source: f.absolute, target: f.path })),
    true,
  );
  return { replaced: files.filter((f) => existing.has(f.path.toLowerCase())).length, removed: stale };
}
