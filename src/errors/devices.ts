import { defineErrors } from './entry.js';

/** Drives capmedia writes (devices/): refused, busy, failing. Each refusal is one rule of devices/safety.ts. */
export const deviceErrors = defineErrors({
  devicePartition: {
    code: 'DEVICE_REFUSED',
    title: 'A partition, not a whole drive',
    message: (a: { path: string; disk: string }) =>
      `${a.path} is a partition of ${a.disk}, not a whole drive: capmedia partitions and formats the whole drive.`,
    hint: (a: { disk: string }) => `Set media.device to ${a.disk}, or set media.format: false to copy onto the existing FAT32 partition.`,
  },
  deviceHoldsSystem: {
    code: 'DEVICE_REFUSED',
    title: 'The drive of the running system',
    message: (a: { path: string; disk: string; systemMount: string }) =>
      `${a.path} is on ${a.disk}, the drive that holds the running system (${a.systemMount} is on it). capmedia never writes to it.`,
    hint: 'Plug in a USB stick and set media.device to it (`lsblk -o NAME,SIZE,TRAN,RM,MODEL` lists drives).',
  },
  deviceHoldsBuildFolders: {
    code: 'DEVICE_REFUSED',
    title: "The drive holds the build's folders",
    message: (a: { path: string; disk: string; folders: string[] }) =>
      `${a.path} is on ${a.disk}, which holds ${a.folders.join(', ')} (the build's config, cache or staging folder).`,
    hint: 'Choose another drive, or move media.staging / the cache to a different disk.',
  },
  deviceNotRemovable: {
    code: 'DEVICE_REFUSED',
    title: 'Not a removable drive',
    message: (a: { path: string; disk: string }) =>
      `${a.path} (${a.disk}) is neither removable nor attached by USB: capmedia writes only to removable drives.`,
    hint: 'Use a USB stick or card, or build a disk image (media.device: "out/capture.img") and write it yourself.',
  },
  deviceReadOnly: {
    code: 'DEVICE_REFUSED',
    title: 'The drive is read-only',
    message: (a: { path: string }) => `${a.path} is read-only.`,
    hint: 'Slide the write-protect switch of the stick or card to unlocked and plug it in again.',
  },
  deviceNoMedium: {
    code: 'DEVICE_REFUSED',
    title: 'No medium in the drive',
    message: (a: { path: string }) => `${a.path} has no medium (its size is 0).`,
    hint: 'Insert the card or stick, then build again.',
  },
  deviceMounted: {
    code: 'DEVICE_REFUSED',
    title: 'The drive is mounted',
    message: (a: { path: string; mounts: Array<{ device: string; mountPoint: string }> }) =>
      `${a.path} is in use: ${a.mounts.map((m) => `${m.device} is mounted at ${m.mountPoint}`).join('; ')}.`,
    hint: (a: { mounts: Array<{ device: string }> }) =>
      `Unmount it first (${a.mounts.map((m) => `udisksctl unmount -b ${m.device}`).join('; ')})${a.mounts.length === 1 ? ', or set media.device to the mounted folder with media.format: false' : ''}.`,
  },
  deviceIsSwap: {
    code: 'DEVICE_REFUSED',
    title: 'The drive is used as swap',
    message: (a: { path: string; devices: string[] }) => `${a.path} is in use as swap (${a.devices.join(', ')}).`,
    hint: (a: { devices: string[] }) => `Turn the swap off first: swapoff ${a.devices.join(' ')}.`,
  },
  deviceHeld: {
    code: 'DEVICE_REFUSED',
    title: 'The drive is held by device-mapper or RAID',
    message: (a: { path: string; holders: string[] }) =>
      `${a.path} is in use by ${a.holders.join(', ')} (device-mapper or RAID: LVM, LUKS, mdadm).`,
    hint: 'Close those first (e.g. vgchange -an, cryptsetup close, mdadm --stop).',
  },
  deviceTooSmall: {
    code: 'DEVICE_REFUSED',
    title: 'The drive is too small',
    message: (a: { path: string; size: string; needed: string }) => `${a.path} holds ${a.size}, but the media need ${a.needed}.`,
    hint: 'Use a larger stick, or carry less content.',
  },
  deviceUnknown: {
    code: 'DEVICE_REFUSED',
    title: 'Not a known drive',
    message: (a: { path: string; name: string }) => `${a.path} is not a drive this machine knows (no block device "${a.name}").`,
    hint: 'Plug the stick in and check its name with `lsblk -o NAME,SIZE,TRAN,RM,MODEL`; for a disk image give a file path instead (e.g. out/capture.img).',
  },
  deviceWriteCancelled: {
    code: 'CANCELLED',
    title: 'Writing the drive was cancelled',
    message: (a: { device: string }) => `Writing ${a.device} was cancelled; the drive holds an incomplete image.`,
    hint: 'Run the build again to write it completely.',
  },
  deviceInUse: {
    code: 'DEVICE_REFUSED',
    title: 'The drive is in use',
    message: (a: { device: string }) =>
      `${a.device} is in use by the system (mounted, swap or held by another program), so it was not written.`,
    hint: 'Unmount it (udisksctl unmount -b …) and close programs using it, then build again.',
  },
  deviceCheckCancelled: {
    code: 'CANCELLED',
    title: 'Checking the drive was cancelled',
    message: (a: { device: string }) => `Checking ${a.device} was cancelled; the image was written but not read back.`,
    hint: 'Run the build again to write and check it.',
  },
  deviceReadBackMismatch: {
    code: 'VERIFY_FAILED',
    title: 'The drive does not hold what was written',
    message: (a: { device: string; bytes: number; sha256: string; writtenBytes: number; writtenSha256: string }) =>
      `${a.device} does not hold what was written: read back ${a.bytes} bytes with sha256 ${a.sha256}, wrote ${a.writtenBytes} bytes with sha256 ${a.writtenSha256}.`,
    hint: 'The stick may be failing or fake (reporting more capacity than it has). Try another stick; do not use this one for capture.',
  },
});
