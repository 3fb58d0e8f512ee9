import { CapmediaError } from '../errors/index.js';
import { formatBytes } from '../config/size.js';
import { describeDisk, type DeviceFacts } from './inspect.js';

export interface SafetyOptions {
  /** Bytes that will be written; omitted until the image exists. */
  minBytes?: number;
  /** format: false copies onto an existing partition, so a partition is a valid target. */
  allowPartition?: boolean;
}

type Rule = (facts: DeviceFacts, options: SafetyOptions) => { message: string; hint: string } | undefined;

const dev = (name: string) => `/dev/${name}`;

/**
 * R5: only a removable, unused, non-system drive is ever written. Each rule
 * says what is wrong with the drive and what to do; the first that applies
 * refuses the drive. Ventoy and balenaEtcher refuse the same cases.
 */
const RULES: Rule[] = [
  ({ path, target }, { allowPartition }) =>
    target.isPartition && !allowPartition
      ? {
          message: `${path} is a partition of ${dev(target.disk.name)}, not a whole drive: capmedia partitions and formats the whole drive.`,
          hint: `Set media.device to ${dev(target.disk.name)}, or set media.format: false to copy onto the existing FAT32 partition.`,
        }
      : undefined,
  ({ path, target, systemMount }) =>
    systemMount
      ? {
          message: `${path} is on ${dev(target.disk.name)}, the drive that holds the running system (${systemMount} is on it). capmedia never writes to it.`,
          hint: 'Plug in a USB stick and set media.device to it (`lsblk -o NAME,SIZE,TRAN,RM,MODEL` lists drives).',
        }
      : undefined,
  ({ path, target, protectedHits }) =>
    protectedHits.length
      ? {
          message: `${path} is on ${dev(target.disk.name)}, which holds ${protectedHits.join(', ')} (the build's config, cache or staging folder).`,
          hint: 'Choose another drive, or move media.staging / the cache to a different disk.',
        }
      : undefined,
  ({ path, target }) =>
    !target.disk.removable && !target.disk.hotplug && target.disk.transport !== 'usb'
      ? {
          message: `${path} (${describeDisk(target.disk)}) is neither removable nor attached by USB: capmedia writes only to removable drives.`,
          hint: 'Use a USB stick or card, or build a disk image (media.device: "out/capture.img") and write it yourself.',
        }
      : undefined,
  ({ path, target }) =>
    target.disk.readOnly
      ? { message: `${path} is read-only.`, hint: 'Slide the write-protect switch of the stick or card to unlocked and plug it in again.' }
      : undefined,
  ({ path, target }) =>
    target.sizeBytes === 0
      ? { message: `${path} has no medium (its size is 0).`, hint: 'Insert the card or stick, then build again.' }
      : undefined,
  ({ path, mounted }) =>
    mounted.length
      ? {
          message: `${path} is in use: ${mounted.map((m) => `${dev(m.name)} is mounted at ${m.mountPoint}`).join('; ')}.`,
          hint: `Unmount it first (${mounted.map((m) => `udisksctl unmount -b ${dev(m.name)}`).join('; ')})${mounted.length === 1 ? ', or set media.device to the mounted folder with media.format: false' : ''}.`,
        }
      : undefined,
  ({ path, swap }) =>
    swap.length
      ? {
          message: `${path} is in use as swap (${swap.map(dev).join(', ')}).`,
          hint: `Turn the swap off first: swapoff ${swap.map(dev).join(' ')}.`,
        }
      : undefined,
  ({ path, target }) =>
    target.disk.holders.length
      ? {
          message: `${path} is in use by ${target.disk.holders.join(', ')} (device-mapper or RAID: LVM, LUKS, mdadm).`,
          hint: 'Close those first (e.g. vgchange -an, cryptsetup close, mdadm --stop).',
        }
      : undefined,
  ({ path, target }, { minBytes }) =>
    minBytes !== undefined && target.sizeBytes < minBytes
      ? {
          message: `${path} holds ${formatBytes(target.sizeBytes)}, but the media need ${formatBytes(minBytes)}.`,
          hint: 'Use a larger stick, or carry less content.',
        }
      : undefined,
];

/** Throws DEVICE_REFUSED with the first reason the drive must not be written. */
export function refuseUnsafeDevice(facts: DeviceFacts, options: SafetyOptions = {}): void {
  for (const rule of RULES) {
    const refusal = rule(facts, options);
    if (refusal) throw new CapmediaError('DEVICE_REFUSED', refusal.message, { hint: refusal.hint });
  }
}
