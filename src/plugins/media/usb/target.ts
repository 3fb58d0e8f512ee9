import { statSync } from 'node:fs';
import { CapmediaError } from '../../../errors/index.js';
import { looksLikeDevicePath } from '../../../devices/roots.js';
import { parseMediaSize } from '../../../config/size.js';
import type { NormalizedMedia } from '../../../config/media.js';

/**
 * What media.device names: a disk image file to create, a drive (/dev/sdX),
 * or — with format: false — the folder a FAT32 stick is mounted on.
 */
export type TargetKind = 'image' | 'drive' | 'folder';

export function targetKind(path: string): TargetKind {
  const info = statSync(path, { throwIfNoEntry: false });
  if (info?.isBlockDevice()) return 'drive';
  if (info?.isDirectory()) return 'folder';
  if (info?.isFile()) return 'image';
  return looksLikeDevicePath(path) ? 'drive' : 'image';
}

export function refuseFolderToFormat(media: NormalizedMedia): never {
  throw new CapmediaError(
    'USAGE',
    `media.device ${JSON.stringify(media.output)} is a folder, and media.format is true: a folder cannot be partitioned and formatted.`,
    {
      hint: 'For a disk image give a file path (e.g. out/capture.img); for a stick give the drive (/dev/sdX); to copy onto a mounted FAT32 stick set media.format: false.',
    },
  );
}

export function imageBytesOf(media: NormalizedMedia): number | undefined {
  return media.imageSize === undefined ? undefined : parseMediaSize(media.imageSize);
}
