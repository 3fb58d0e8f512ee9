import { CapmediaError } from '../errors/index.js';
import type { Exec } from './exec.js';

export const SECTOR_BYTES = 512;

/** GPT type of an EFI system partition. */
export const ESP_TYPE = 'C12A7328-F81F-11D2-BA4B-00A0C93EC93B';

export type PartitionTable =
  | { label: 'dos'; diskId: number; start: number; sectors: number }
  | { label: 'gpt'; diskGuid: string; partitionGuid: string; start: number; sectors: number };

/**
 * One FAT32 partition. MBR: type 0x0c (FAT32, LBA), active, so BIOS boot code
 * and UEFI firmware both find it. GPT: an EFI system partition with the
 * legacy-BIOS-bootable attribute that SYSLINUX's gptmbr.bin looks for. Every
 * id is given, never random, so the table is reproducible.
 */
export function sfdiskScript(table: PartitionTable): string {
  if (table.label === 'dos') {
    return [
      'label: dos',
      `label-id: 0x${table.diskId.toString(16).padStart(8, '0')}`,
      'unit: sectors',
      `start=${table.start}, size=${table.sectors}, type=c, bootable`,
      '',
    ].join('\n');
  }
  return [
    'label: gpt',
    `label-id: ${table.diskGuid}`,
    'unit: sectors',
    'first-lba: 34',
    `start=${table.start}, size=${table.sectors}, type=${ESP_TYPE}, uuid=${table.partitionGuid}, name="CAPMEDIA", attrs="LegacyBIOSBootable"`,
    '',
  ].join('\n');
}

/** sfdisk writes a table straight into an image file: no loop device, no root. */
export async function writePartitionTable(exec: Exec, file: string, table: PartitionTable, signal?: AbortSignal): Promise<void> {
  await exec('sfdisk', ['--quiet', '--no-reread', '--no-tell-kernel', '--wipe', 'always', file], {
    input: sfdiskScript(table),
    cancelSignal: signal,
  });
}

export interface ExistingPartition {
  number: number;
  start: number;
  sectors: number;
  type: string;
}

/** The partitions of an image or drive; an empty list when it has no partition table (a "superfloppy"). */
export async function readPartitions(exec: Exec, file: string): Promise<ExistingPartition[]> {
  let stdout: string;
  try {
    stdout = (await exec('sfdisk', ['--json', file])).stdout;
  } catch (error) {
    if (error instanceof CapmediaError && /does not contain a recognized partition table/.test(error.detail ?? error.message)) return [];
    throw error;
  }
  if (!stdout.trim()) return [];
  const parsed = JSON.parse(stdout) as {
    partitiontable: { partitions?: Array<{ node: string; start: number; size: number; type: string }> };
  };
  return (parsed.partitiontable.partitions ?? []).map((p) => ({
    number: Number(/(\d+)$/.exec(p.node)?.[1] ?? 0),
    start: p.start,
    sectors: p.size,
    type: p.type,
  }));
}

/** MBR types and GPT type GUIDs a FAT volume is found under. */
const FAT_TYPES = new Set(['1', '4', '6', 'b', 'c', 'e', 'ef', ESP_TYPE, 'EBD0A0A2-B9E5-4433-87C0-68B6B72699C7']);

export function isFatPartitionType(type: string): boolean {
  return FAT_TYPES.has(type.toLowerCase()) || FAT_TYPES.has(type.toUpperCase());
}
