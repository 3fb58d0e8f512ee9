import { showValue } from '../../../config/issues.js';
import type { NormalizedMedia } from '../../../config/media.js';
import { parseMediaSize } from '../../../config/size.js';
import type { MediaOptionIssue } from '../types.js';

/** imageSize and partitionTable shape a new USB image: meaningless when copying onto a prepared drive. */
export function checkUsbOptions(media: NormalizedMedia): MediaOptionIssue[] {
  return (['imageSize', 'partitionTable'] as const).flatMap((key) => {
    if (media[key] === undefined) return [];
    if (!media.format)
      return [
        {
          key,
          message: `${showValue(media[key])} has no effect with media.format: false (the drive is already partitioned and formatted): remove it, or set format: true`,
        },
      ];
    if (key === 'imageSize' && (parseMediaSize(media.imageSize!) ?? 0) < 64 * 2 ** 20)
      return [{ key, message: `${showValue(media.imageSize)} is too small: a FAT32 USB image needs at least "64MiB"` }];
    return [];
  });
}

/** What shapes the image pack writes (the pack step keys label and autorun itself). */
export function usbCacheInputs(media: NormalizedMedia): Record<string, unknown> {
  return { format: media.format, splitLargeFiles: media.splitLargeFiles, imageSize: media.imageSize, partitionTable: media.partitionTable };
}
