import { open } from 'node:fs/promises';
import type { Exec } from '../../../tools/exec.js';
import type { MediaReport } from '../types.js';
import { mtoolsEnv, readVolumeText, volumeLabel, volumeSpec, type FatVolume } from '../../../tools/mtools.js';
import { MEDIA_CONTENT_JSON, parseMediaContent } from '../../../lock/media-record.js';
import { isFatPartitionType, readPartitions, SECTOR_BYTES } from '../../../tools/sfdisk.js';
import { MEDIA_PATHS } from '../../../media-paths.js';

/** What a USB image tells about itself: the media report's own fields, plus every path on the FAT volume (lower case). */
export type UsbInspection = Pick<
  MediaReport,
  'volumeId' | 'bootBios' | 'bootUefi' | 'partitionTable' | 'mediaLabel' | 'taskSequence' | 'content'
> & {
  paths: Set<string>;
  /** Byte offset of the FAT volume in the image. */
  fatOffset: number;
};

/** The UEFI removable-media loaders of x64, x86 and arm64 (lower case: FAT ignores case). */
export const UEFI_LOADERS = ['efi/boot/bootx64.efi', 'efi/boot/bootia32.efi', 'efi/boot/bootaa64.efi'];

/** arm64 has no BIOS: media that carry only its loader are UEFI-only by design. */
export function uefiOnly(lowerPaths: ReadonlySet<string>): boolean {
  return lowerPaths.has('efi/boot/bootaa64.efi') && !UEFI_LOADERS.slice(0, 2).some((loader) => lowerPaths.has(loader));
}

/** A FAT32 USB image, read with sfdisk and mtools (nothing is mounted). */
export async function inspectUsbImage(exec: Exec, file: string): Promise<UsbInspection | undefined> {
  const partitions = await readPartitions(exec, file).catch(() => []);
  const fat = partitions.find((p) => isFatPartitionType(p.type));
  const offset = fat ? fat.start * SECTOR_BYTES : 0;
  const volume: FatVolume = { file, offset, env: {} };
  const paths = await listAll(exec, volume).catch(() => undefined);
  if (!paths) return undefined;
  const lower = new Set(paths.map((p) => p.toLowerCase()));
  const ts = await readVolumeText(exec, volume, MEDIA_PATHS.taskSequence).catch(() => undefined);
  return {
    volumeId: await volumeLabel(exec, volume).catch(() => ''),
    bootUefi: UEFI_LOADERS.some((loader) => lower.has(loader)),
    bootBios: (await hasMbrBootCode(file)) && [...lower].some((p) => p.endsWith('ldlinux.sys')),
    partitionTable: partitions.length ? (partitions.some((p) => p.type.includes('-')) ? 'GPT' : 'MBR') : 'none',
    mediaLabel: /^label=(.*)$/m
      .exec((await readVolumeText(exec, volume, 'MediaLabel.txt').catch(() => undefined)) ?? '')?.[1]
      ?.replace(/\r$/, ''),
    taskSequence: ts ? (JSON.parse(ts) as { name?: string }).name : undefined,
    content: parseMediaContent(await readVolumeText(exec, volume, MEDIA_CONTENT_JSON).catch(() => undefined)),
    paths: lower,
    fatOffset: offset,
  };
}

/** Every file, hidden and system ones included (SYSLINUX marks ldlinux.sys and ldlinux.c32 so). */
async function listAll(exec: Exec, volume: FatVolume): Promise<string[]> {
  const { stdout } = await exec('mdir', ['-a', '-i', volumeSpec(volume), '-/', '-b', '::/'], { env: mtoolsEnv() });
  return stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => line.replace(/^::\//, ''));
}

/** BIOS starts the first 440 bytes of the disk; all zeros means nothing there to start. */
async function hasMbrBootCode(file: string): Promise<boolean> {
  const handle = await open(file, 'r');
  try {
    const code = Buffer.alloc(440);
    await handle.read(code, 0, 440, 0);
    return code.some((byte) => byte !== 0);
  } finally {
    await handle.close();
  }
}
