/** The files of a network boot folder, relative to it (the TFTP root, or a folder a web server serves). */
export const NETBOOT_FILES = {
  kernel: 'vmlinuz',
  initrd: 'initrd.img',
  /** The media files (task sequence, content) as one more initrd. */
  mediaInitrd: 'capmedia-media.cpio',
  ipxe: 'boot.ipxe',
  pxelinux: 'pxelinux.cfg/default',
  grub: 'grub/grub.cfg',
  /** `sha256  path` for every other file; its own hash is the folder's checksum. */
  sums: 'SHA256SUMS',
} as const;

/** Where the task sequence sits among the media files (as on a medium). */
export const TASK_SEQUENCE_JSON = 'SMS/data/TaskSequence.json';
export const MEDIA_LABEL = 'MediaLabel.txt';
