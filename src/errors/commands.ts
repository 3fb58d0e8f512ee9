import { defineErrors } from './entry.js';

/** Command-line checks and results of the smaller commands (commands/). */
export const commandErrors = defineErrors({
  bootTargetUnusable: {
    code: 'USAGE',
    title: 'The image to boot cannot be used',
    message: (a: { path: string; problem: string }) => `${a.path} ${a.problem}.`,
    hint: 'Pass the path of a built ISO or USB image.',
  },
  bootTargetUnreadable: {
    code: 'USAGE',
    title: 'The image to boot cannot be read',
    message: (a: { path: string; reason: string }) => `${a.path} cannot be read: ${a.reason}.`,
    hint: 'Pass the path of a built ISO or USB image you can read.',
  },
  distributeUserNeedsPassword: {
    code: 'USAGE',
    title: '--user needs a password source',
    message: (a: { user: string }) => `--user ${a.user} needs --password-env VAR or --password-file FILE.`,
    hint: 'Passwords are never given on the command line: it shows in the process list and shell history.',
  },
  distributeAuthConflict: {
    code: 'USAGE',
    title: 'Two kinds of auth given',
    message: () => 'Choose either --token-env (Bearer) or --password-env/--password-file (Basic), not both.',
    hint: 'Keep the kind the distribution point expects and drop the other.',
  },
  distributeBasicNeedsUser: {
    code: 'USAGE',
    title: 'Basic auth needs a user',
    message: () => 'Basic auth needs --user NAME as well.',
    hint: 'Give --user NAME with --password-env VAR or --password-file FILE.',
  },
  imageVerifyFailed: {
    code: 'IMAGE_INVALID',
    title: 'The image does not match its manifest',
    message: (a: { location: string; bad: string }) => `${a.location} does not match its manifest: ${a.bad}.`,
    hint: 'The image is damaged or was changed after the capture; capture it again.',
  },
  splitSizeInvalid: {
    code: 'USAGE',
    title: 'Not a valid part size',
    message: (a: { split: string }) => `--split ${a.split} is not a part size from 1MiB to below 4GiB.`,
    hint: "Give a size such as 3800MB (parts that fit FAT32's 4 GiB file limit).",
  },
  initTargetExists: {
    code: 'USAGE',
    title: 'The file to create exists',
    message: (a: { existing: string }) => `${a.existing} already exists; it was left as it is.`,
    hint: 'Edit it, or remove it first if you want a fresh starter.',
  },
  updateUnknownPackage: {
    code: 'USAGE',
    title: 'Not a package of the config',
    message: (a: { unknown: string[]; ids: string[] }) =>
      `${a.unknown.join(', ')} ${a.unknown.length === 1 ? 'is' : 'are'} not a package of the config.`,
    hint: (a: { ids: string[] }) => `Packages of this config: ${a.ids.join(', ')}. Add a package to bootImage.package or content first.`,
  },
  verifyUnknownFormat: {
    code: 'VERIFY_FAILED',
    title: 'Not capture media',
    message: (a: { file: string }) => `${a.file} is neither an ISO 9660 image nor a disk image with a FAT file system.`,
    hint: 'Pass a built ISO (media.file) or USB image (media.device).',
  },
  verifyTargetMissing: {
    code: 'USAGE',
    title: 'The media to verify is not a file',
    message: (a: { file: string; problem: string }) => `${a.file} ${a.problem}.`,
    hint: 'Pass the path of a built ISO (media.file) or USB image (media.device).',
  },
  verifyUnreadable: {
    code: 'VERIFY_FAILED',
    title: 'The media cannot be read',
    message: (a: { output: string; message: string }) => `${a.output} could not be read as capture media: ${a.message}`,
    hint: 'The file is damaged or is not an image capmedia built; build it again with `capmedia build`.',
  },
  verifyIncomplete: {
    code: 'VERIFY_FAILED',
    title: 'The media are not complete',
    message: (a: { file: string; problems: string }) => `${a.file} is not complete capture media: ${a.problems}.`,
    hint: 'Rebuild it with `capmedia build`.',
  },
  verifyTruncated: {
    code: 'VERIFY_FAILED',
    title: 'The image is truncated',
    message: (a: { shown: string; size: number; declared: number }) =>
      `${a.shown} is truncated: ${a.size} bytes, the image says ${a.declared}.`,
    hint: (a: { shown: string }) => `Copy or build it again (capmedia build writes ${a.shown} whole or not at all).`,
  },
  bootFailed: {
    code: 'BOOT_FAILED',
    title: 'The media did not boot',
    message: (a: { firmware: string; as: string; outcome: string }) =>
      `The media did not boot to the marker under QEMU (${a.firmware}, as ${a.as}): ${a.outcome}.`,
    hint: (a: { outcome: string }) =>
      a.outcome === 'refused'
        ? 'Secure Boot refused the UEFI loader: build the boot image with the signed chain (capmedia bootimage create, without --no-secure-boot).'
        : 'Run with --verbose to see the serial console.',
  },
});
