import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fail } from '../../../errors/index.js';
import { moveIntoPlace } from '../../../fs/atomic.js';
import { HOST_ROOTS, type SystemRoots } from '../../../devices/roots.js';
import type { NormalizedMedia } from '../../../config/media.js';
import { FAT_NAMES } from '../name-rules.js';
import type { MediaType, PackInput, TargetCheckInput } from '../types.js';
import { checkFileSizes, FAT32_LIMITS, type FileLimits } from './content.js';
import { DriveTarget } from './drive.js';
import { findFat32Volume } from './existing.js';
import { checkMountedFat32 } from './folder.js';
import { packCopyPlan, packExistingImage, packNewImage, prepareTree, publishCopy } from './pack.js';
import { imageBytesOf, refuseFolderToFormat, targetKind } from './target.js';
import { inspectUsbMedia } from './inspect.js';
import { usbOptions } from './options.js';
import { checkUsbOptions, usbCacheInputs } from './rules.js';

export interface UsbMediaOptions {
  /** Where sysfs, procfs and udev's data are read (tests pass fake trees). */
  roots?: SystemRoots;
  /** FAT32's file size limit and the .wim part size (tests pass small ones). */
  limits?: FileLimits;
}

/**
 * USB media (R5, R6, R7, R12): a partitioned FAT32 disk image that boots by
 * UEFI and BIOS, written to a file or — after checks and a confirmation — to
 * a removable drive; or, with format: false, the media files copied onto an
 * existing FAT32 volume.
 */
export function createUsbMedia(options: UsbMediaOptions = {}): MediaType {
  const roots = options.roots ?? HOST_ROOTS;
  const limits = options.limits ?? FAT32_LIMITS;
  const drive = new DriveTarget(roots);
  return {
    name: 'usb',
    nameRules: FAT_NAMES,
    options: usbOptions,
    output: {
      key: 'device',
      kind: 'file',
      help: 'USB media need media.device, a disk image path (e.g. "out/capture.img") or a removable drive (/dev/sdX)',
      example: 'capture.img',
    },
    cacheInputs: usbCacheInputs,
    checkOptions: checkUsbOptions,
    inspect: inspectUsbMedia,
    writesDevice: (media) => targetKind(media.output) === 'drive',
    checkContent: (files, media) => checkFileSizes(files, media.splitLargeFiles, limits),
    checkTarget: (input) => checkTarget(input, drive, roots),
    // An image file is written beside its final path (the default); a drive or folder has no "beside".
    partialOutput(media, workDir) {
      const kind = targetKind(media.output);
      if (kind === 'image') return undefined;
      return join(workDir, kind === 'drive' && media.format ? 'usb.img' : 'copy-plan.json');
    },
    async pack(input) {
      const media = mediaOf(input);
      const files = await prepareTree(input, media, limits);
      const kind = targetKind(media.output);
      if (media.format) return packNewImage(input, media, files);
      return kind === 'image' ? packExistingImage(input, media, files) : packCopyPlan(input, files);
    },
    async publish(input) {
      const kind = targetKind(input.final);
      if (kind === 'image')
        return moveIntoPlace(input.temp, input.final, 'move the finished image into place at', { removePreviousLater: true });
      if (kind === 'drive' && input.media.format) return drive.writeImage(input);
      return publishCopy(input, kind, drive, roots);
    },
    recordsPath: (media) => (targetKind(media.output) === 'image' ? media.output : undefined),
  };
}

export const usbMedia = createUsbMedia();

function mediaOf(input: PackInput): NormalizedMedia {
  if (!input.media) throw fail('usbMediaEntryMissing', {});
  return input.media;
}

async function checkTarget(input: TargetCheckInput, drive: DriveTarget, roots: SystemRoots): Promise<void> {
  const { media, exec } = input;
  const kind = targetKind(media.output);
  if (kind === 'drive') {
    await drive.check(input, media.format ? imageBytesOf(media) : undefined);
    if (!media.format) await findFat32Volume(exec, media.output, {});
    return;
  }
  if (kind === 'folder') {
    if (media.format) refuseFolderToFormat(media);
    return checkMountedFat32(roots, media.output);
  }
  if (!media.format) {
    if (
      !(await stat(media.output).then(
        () => true,
        () => false,
      ))
    ) {
      throw fail('existingTargetMissing', { output: media.output });
    }
    await findFat32Volume(exec, media.output, {});
  }
}
