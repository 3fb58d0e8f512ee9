/**
 * The paths and strings other parts of capmedia rely on: the ISO/USB packer
 * copies these files, the boot tests wait for these markers. Change them only
 * together with their users.
 */

/** Files of a boot image folder, relative to its root. */
export const BOOT_IMAGE_FILES = {
  metadata: 'capmedia-package.json',
  kernel: 'boot/vmlinuz',
  initrd: 'boot/initrd.img',
  /** The capture agent's programs, libraries and extra modules, unpacked by the agent at run time. */
  agentTools: 'boot/capmedia-tools.cpio.gz',
  grubCfg: 'boot/grub/grub.cfg',
  /** Secure Boot: shim; otherwise the standalone GRUB. */
  efiLoader: 'EFI/BOOT/BOOTX64.EFI',
  /** Secure Boot: the signed GRUB shim starts, and MokManager, which shim starts when asked to enroll a key. */
  signedGrub: 'EFI/BOOT/grubx64.efi',
  mokManager: 'EFI/BOOT/mmx64.efi',
  /** Where the signed GRUB (built with prefix /EFI/debian) reads its configuration. */
  signedGrubCfg: 'EFI/debian/grub.cfg',
  isolinuxBin: 'isolinux/isolinux.bin',
  isolinuxLdlinux: 'isolinux/ldlinux.c32',
  isolinuxCfg: 'isolinux/isolinux.cfg',
  isohybridMbr: 'isolinux/isohdpfx.bin',
  syslinuxCfg: 'syslinux/syslinux.cfg',
  syslinuxLdlinux: 'syslinux/ldlinux.c32',
} as const;
import { fromRoot, MEDIA_PATHS } from '../media-paths.js';

/** Where the media carry the task sequence; GRUB searches for the JSON file. */
export const TASK_SEQUENCE_JSON = fromRoot(MEDIA_PATHS.taskSequence);
/** Shell-safe companion read by /init (see formatTaskSequenceVars). */
export const TASK_SEQUENCE_VARS = fromRoot(MEDIA_PATHS.taskSequenceVars);

/**
 * The kernel command line of every boot entry. The last console= becomes
 * /dev/console, so /init's markers go to the serial port; tty0 keeps kernel
 * messages on the screen of a real machine. panic=5 reboots, which under
 * `qemu -no-reboot` ends the VM instead of hanging until the timeout.
 */
export const KERNEL_CMDLINE = 'console=tty0 console=ttyS0,115200 loglevel=4 panic=5';

/** Lines /init prints on the console; tests and `capmedia boot` wait for them. */
export const BOOT_MARKERS = {
  /** Followed by ` firmware=BIOS`, or ` firmware=UEFI secureboot=on|off`. */
  bootOk: 'CAPMEDIA-BOOT-OK',
  /** Followed by ` failed=<modules that did not load>` (may be empty). */
  modules: 'CAPMEDIA-MODULES',
  /** Followed by ` device=/dev/...`. */
  mediaFound: 'CAPMEDIA-MEDIA-FOUND',
  mediaNotFound: 'CAPMEDIA-MEDIA-NOT-FOUND',
  /** Followed by ` name=<task sequence name>`. */
  taskSequence: 'CAPMEDIA-TASKSEQUENCE',
  /** The vars file on the medium is not valid shell; /init powers off. */
  taskSequenceInvalid: 'CAPMEDIA-TASKSEQUENCE-INVALID',
  /** Followed by ` code=<exit status of /capmedia/agent.sh>`. */
  agentExit: 'CAPMEDIA-AGENT-EXIT',
  /** CAPMEDIA_TS_STEPS > 0 but the initramfs has no /capmedia/agent.sh. */
  agentMissing: 'CAPMEDIA-AGENT-MISSING',
  /** Printed by the capture agent on any failure, followed by ` <reason>`. */
  captureFailed: 'CAPMEDIA-CAPTURE-FAILED',
  /** Printed by the capture agent when every step succeeded, followed by ` images=<where>`. */
  captureOk: 'CAPMEDIA-CAPTURE-OK',
  /** Printed by the embedded grub.cfg when no device holds TaskSequence.json. */
  grubMediaNotFound: 'CAPMEDIA-GRUB-MEDIA-NOT-FOUND',
} as const;
