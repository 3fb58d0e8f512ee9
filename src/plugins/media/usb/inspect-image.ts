import { open } from 'node:fs/promises';
import type { Exec } from '../../../tools/exec.js';
import type { MediaReport } from '../types.js';
import { readVolumeText, volumeLabel, volumeSpec, type FatVolume } from '../../../tools/mtools.js';
import { isFatPartitionType, readPartitions, SECTOR_BYTES } from '../../../tools/sfdisk.js';

/** What a USB image tells about itself: the media report's own fields, plus every path on the FAT volume (lower case). */
export type UsbInspection = Pick<MediaReport, 'volumeId' | 'bootBios' | 'bootUefi' | 'partitionTable' | 'mediaLabel' | 'taskSequence'> & {
  paths: Set<string>;
};

/** A FAT32 USB image, read with sfdisk and mtools (nothing is mounted). */
export async function inspectUsbImage(exec: Exec, file: string): Promise<UsbInspection | undefined> {
  const partitions = await readPartitions(exec, file).catch(() => []);
  const fat = partitions.find((p) => isFatPartitionType(p.type));
  const offset = fat ? fat.start * SECTOR_BYTES : 0;
  const volume: FatVolume = { file, offset, env: {} };
  const paths = await listAll(exec, volume).catch(() => undefined);
  if (!paths) return undefined;
  const lower = new Set(paths.map((p) => p.toLowerCase()));
  const ts = await readVolumeText(exec, volume, 'SMS/data/TaskSequence.json').catch(() => undefined);
  return {
    volumeId: await volumeLabel(exec, volume).catch(() => ''),
    bootUefi: lower.has('efi/boot/bootx64.efi'),
    bootBios: (await hasMbrBootCode(file)) && [...lower].some((p) => p.endsWith('ldlinux.sys')),
    partitionTable: partitions.length ? (partitions.some((p) => p.type.includes('-')) ? 'GPT' : 'MBR') : 'none',
    mediaLabel: /^label=(.*)$/m
      .exec((await readVolumeText(exec, volume, 'MediaLabel.txt').catch(() => undefined)) ?? '')?.[1]
      ?.replace(/\r$/, ''),
    taskSequence: ts ? (JSON.parse(ts) as { name?: string }).name : undefined,
    paths: lower,
  };
}

/** Every file, hidden and system ones included (SYSLINUX marks ldlinux.sys and ldlinux.c32 so). */
async function listAll(exec: Exec, volume: FatVolume): Promise<string[]> {
  const { stdout } = await exec('mdir', ['-a', '-i', volumeSpec(volume), '-/', '-b', '::/'], { env: { MTOOLS_SKIP_CHECK: '1' } });
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
