import { statSync } from 'node:fs';
import { fail } from '../../../errors/index.js';
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
  throw fail('folderCannotBeFormatted', { output: media.output });
}

export function imageBytesOf(media: NormalizedMedia): number | undefined {
  return media.imageSize === undefined ? undefined : parseMediaSize(media.imageSize);
}
