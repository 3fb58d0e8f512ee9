import { stat } from 'node:fs/promises';
import { fail } from '../../../errors/index.js';
import { formatBytes } from '../../../config/size.js';
import { describeDisk, inspectDevice, type DeviceFacts } from '../../../devices/inspect.js';
import type { SystemRoots } from '../../../devices/roots.js';
import { refuseUnsafeDevice } from '../../../devices/safety.js';
import { dropDeviceCache, verifyDevice, writeImageToDevice } from '../../../devices/write.js';
import type { NormalizedMedia } from '../../../config/media.js';
import type { PublishInput, TargetCheckInput } from '../types.js';

interface Confirmation {
  protectedPaths: string[];
  /** What the user said yes to: a different stick at the same path is not confirmed. */
  fingerprint: string;
}

const fingerprint = (facts: DeviceFacts) => {
  const { disk } = facts.target;
  return [disk.name, disk.model, disk.serial, disk.sizeBytes].join('\0');
};

/**
 * A drive target (/dev/sdX): checked and confirmed before any work, checked
 * again right before writing (a stick may have been swapped or automounted
 * meanwhile), written, then read back and compared.
 */
export class DriveTarget {
  private readonly confirmed = new Map<string, Confirmation>();

  constructor(private readonly roots: SystemRoots) {}

  async check(input: TargetCheckInput, imageBytes?: number): Promise<DeviceFacts> {
    const { media } = input;
    const facts = await inspectDevice(this.roots, media.output, input.protectedPaths);
    refuseUnsafeDevice(facts, { allowPartition: !media.format, minBytes: imageBytes });
    const effect = media.format ? 'Everything on it will be erased.' : 'capmedia will replace its own files on its FAT32 volume.';
    const drive = `${media.output} (${describeDisk(facts.target.disk)})`;
    if (!(await input.confirm(`Write capture media to ${drive}? ${effect}`))) {
      throw fail('driveNotConfirmed', { drive });
    }
    this.confirmed.set(media.output, { protectedPaths: input.protectedPaths, fingerprint: fingerprint(facts) });
    return facts;
  }

  /** The drive as it is now, refused if unsafe or not the one confirmed. */
  async recheck(media: NormalizedMedia, minBytes?: number): Promise<DeviceFacts> {
    const confirmation = this.confirmed.get(media.output);
    if (!confirmation) {
      throw fail('driveNotCheckedBeforePublish', { output: media.output });
    }
    const facts = await inspectDevice(this.roots, media.output, confirmation.protectedPaths);
    if (fingerprint(facts) !== confirmation.fingerprint) {
      throw fail('driveChanged', { output: media.output, disk: describeDisk(facts.target.disk) });
    }
    refuseUnsafeDevice(facts, { allowPartition: !media.format, minBytes });
    return facts;
  }

  /** Writes the finished image, then reads it back and compares. */
  async writeImage(input: PublishInput): Promise<void> {
    const { media, temp, exec, signal, notice } = input;
    const bytes = (await stat(temp)).size;
    const facts = await this.recheck(media, bytes);
    const written = await writeImageToDevice(temp, media.output, { deviceBytes: facts.target.disk.sizeBytes, signal });
    const fromDrive = await dropDeviceCache(exec, media.output);
    await verifyDevice(media.output, written, signal);
    if (media.partitionTable === 'gpt') {
      // The backup GPT belongs in the drive's last sectors, not at the end of the image.
      await exec('sfdisk', ['--relocate', 'gpt-bak-std', media.output], { cancelSignal: signal });
    }
    await exec('blockdev', ['--rereadpt', media.output]).catch(() => undefined);
    notice(
      `wrote ${formatBytes(bytes)} to ${media.output} (${describeDisk(facts.target.disk)}) and read it back: identical (sha256 ${written.sha256})` +
        (fromDrive
          ? ''
          : '; the kernel cache could not be dropped (blockdev --flushbufs failed), so the read-back may have come from memory'),
    );
  }
}
