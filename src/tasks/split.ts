import { CapmediaError } from '../errors.js';
import { formatBytes, smallestPresetFor } from '../config/size.js';
import type { MediaJob } from './context.js';

/**
 * R8/R9: every volume must fit the media capacity. This version writes a
 * single volume; content beyond the capacity is refused with the size needed.
 */
export function planVolumes(job: MediaJob): void {
  const packed = job.packed!;
  const capacity = job.media.capacity;
  if (packed.size > capacity) {
    throw new CapmediaError('MEDIA_TOO_SMALL', `The media need ${formatBytes(packed.size)}, but media.size ${JSON.stringify(job.media.sizeSpec)} holds ${formatBytes(capacity)}.`, {
      hint: `Use a larger media.size (the smallest preset that fits is "${smallestPresetFor(packed.size)}"), or carry less content.`,
    });
  }
  job.volumes = [{ temp: packed.output, final: job.media.output, size: packed.size, sha256: packed.sha256 }];
}
