import { createHash } from 'node:crypto';
import { fail } from '../../../errors/index.js';
import { formatBytes } from '../../../config/size.js';
import { SECTOR_BYTES, type PartitionTable } from '../../../tools/sfdisk.js';

const MiB = 2 ** 20;
/** The partition starts at 1 MiB, as every current partitioning tool aligns it. */
export const PARTITION_START_SECTOR = 2048;
/** FAT32 needs at least 65,525 clusters; 64 MiB leaves room for that with 512-byte clusters. */
export const MIN_PARTITION_BYTES = 64 * MiB;
/** MBR partitions address 2^32 sectors; FAT32 with 512-byte sectors ends there too. */
export const MAX_IMAGE_BYTES = 2 ** 32 * SECTOR_BYTES;

export interface ImageLayout {
  imageBytes: number;
  startSector: number;
  sectors: number;
  table: PartitionTable;
  /** FAT volume serial number. */
  volumeId: number;
}

export interface LayoutInput {
  /** Sizes of every file going onto the volume. */
  fileSizes: readonly number[];
  folderCount: number;
  /** media.imageSize in bytes, when configured. */
  imageBytes?: number;
  partitionTable: 'mbr' | 'gpt';
  /** SOURCE_DATE_EPOCH and the label: every id is derived from them, so the same inputs give the same bytes. */
  seed: string;
}

/** Microsoft's FAT32 cluster sizes by volume size, which mkfs.fat follows. */
function clusterFor(bytes: number): number {
  if (bytes <= 260 * MiB) return 512;
  if (bytes <= 8 * 2 ** 30) return 4096;
  if (bytes <= 16 * 2 ** 30) return 8192;
  if (bytes <= 32 * 2 ** 30) return 16384;
  return 32768;
}

/** Space the files take on FAT32, plus FATs, folders and the SYSLINUX loader, plus headroom (10%, at least 32 MiB). */
export function partitionBytesNeeded(fileSizes: readonly number[], folderCount: number): number {
  const raw = fileSizes.reduce((sum, size) => sum + size, 0);
  const cluster = clusterFor(raw);
  const allocated = fileSizes.reduce((sum, size) => sum + Math.ceil(size / cluster) * cluster, 0) + (folderCount + 1) * cluster * 2;
  const withFats = allocated * (1 + 8 / cluster) + 256 * 1024;
  const total = withFats + Math.max(32 * MiB, withFats / 10);
  return Math.max(MIN_PARTITION_BYTES, Math.ceil(total / MiB) * MiB);
}

export function planLayout(input: LayoutInput): ImageLayout {
  const gptTail = input.partitionTable === 'gpt' ? MiB : 0;
  const needed = partitionBytesNeeded(input.fileSizes, input.folderCount);
  const head = PARTITION_START_SECTOR * SECTOR_BYTES;
  const imageBytes = input.imageBytes === undefined ? head + needed + gptTail : Math.floor(input.imageBytes / MiB) * MiB;
  const partitionBytes = imageBytes - head - gptTail;
  if (partitionBytes < needed) {
    const neededBytes = needed + head + gptTail;
    throw fail('imageSizeTooSmall', {
      imageSize: formatBytes(input.imageBytes ?? 0),
      needed: formatBytes(neededBytes),
      neededMiB: Math.ceil(neededBytes / MiB),
    });
  }
  if (imageBytes > MAX_IMAGE_BYTES) {
    throw fail('imageBeyondFat32', { size: formatBytes(imageBytes) });
  }
  const ids = createHash('sha512').update(`capmedia-usb\0${input.seed}`).digest();
  const sectors = partitionBytes / SECTOR_BYTES;
  const table: PartitionTable =
    input.partitionTable === 'gpt'
      ? {
          label: 'gpt',
          diskGuid: guid(ids.subarray(8, 24)),
          partitionGuid: guid(ids.subarray(24, 40)),
          start: PARTITION_START_SECTOR,
          sectors,
        }
      : { label: 'dos', diskId: ids.readUInt32LE(0) || 1, start: PARTITION_START_SECTOR, sectors };
  return { imageBytes, startSector: PARTITION_START_SECTOR, sectors, table, volumeId: ids.readUInt32LE(4) || 1 };
}

/** A well-formed (version 4, RFC 4122 variant) GUID from 16 derived bytes. */
function guid(bytes: Buffer): string {
  const b = Buffer.from(bytes);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = b.toString('hex').toUpperCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
