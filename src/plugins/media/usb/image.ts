import { open } from 'node:fs/promises';
import { CapmediaError, fail, ioError } from '../../../errors/index.js';
import type { FolderFile } from '../../../library/walk.js';
import type { FatBoot } from '../../boot/types.js';
import type { Exec } from '../../../tools/exec.js';
import { makeFat32, syncBackupBootSector } from '../../../tools/fat.js';
import { copyFiles, makeFolders, type FatVolume } from '../../../tools/mtools.js';
import { SECTOR_BYTES, writePartitionTable } from '../../../tools/sfdisk.js';
import { installSyslinux, writeMbrBootCode } from '../../../tools/syslinux.js';
import type { ImageLayout } from './layout.js';
import { foldersOf } from './tree.js';

export interface UsbImageInput {
  files: readonly FolderFile[];
  output: string;
  layout: ImageLayout;
  /** The FAT volume label, already mapped to what FAT allows. */
  fatLabel: string;
  boot: FatBoot;
  exec: Exec;
  env: Record<string, string>;
  signal?: AbortSignal;
}

/**
 * A partitioned USB disk image, made without root, loop devices or mounts:
 * sfdisk writes the table into the file, mkfs.fat formats the partition at its
 * offset, mtools copies the tree, SYSLINUX + MBR code make it boot by BIOS;
 * UEFI firmware starts EFI/BOOT/BOOTX64.EFI from any FAT partition on its own.
 */
export async function writeUsbImage(input: UsbImageInput): Promise<void> {
  const { exec, env, signal, layout, output } = input;
  await createSparseFile(output, layout.imageBytes);
  await writePartitionTable(exec, output, layout.table, signal);
  await makeFat32({
    file: output,
    startSector: layout.startSector,
    sectors: layout.sectors,
    label: input.fatLabel,
    volumeId: layout.volumeId,
    exec,
    env,
    signal,
  });
  const volume: FatVolume = { file: output, offset: layout.startSector * SECTOR_BYTES, env, signal };
  await makeFolders(exec, volume, foldersOf(input.files));
  await copyFiles(
    exec,
    volume,
    input.files.map((f) => ({ source: f.absolute, target: f.path })),
  ).catch((error) => {
    throw translateCopyError(error, layout.imageBytes);
  });
  if (input.boot.syslinuxDirectory) {
    await installSyslinux(exec, { file: output, offset: volume.offset, directory: input.boot.syslinuxDirectory, env, signal });
    await writeMbrBootCode(output, layout.table.label);
  }
  await syncBackupBootSector(output, volume.offset);
}

/** Holes cost no disk: only the written clusters take space until the image is copied. */
async function createSparseFile(path: string, bytes: number): Promise<void> {
  try {
    const handle = await open(path, 'w');
    try {
      await handle.truncate(bytes);
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw ioError('create the disk image', path, error);
  }
}

function translateCopyError(error: unknown, imageBytes: number): unknown {
  if (!(error instanceof CapmediaError) || !/disk full|no free clusters|no space/i.test(`${error.message}\n${error.detail ?? ''}`))
    return error;
  return fail('fatImageFull', { imageBytes }, { detail: error.detail, cause: error });
}
