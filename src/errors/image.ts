import { defineErrors } from './entry.js';

export interface PartFacts {
  file: string;
  bytes: number;
  sha256: string;
  expectedBytes: number;
  expectedSha256: string;
}

const partMismatch = (a: PartFacts): string =>
  `${a.file} does not match the manifest (${a.bytes} bytes, sha256 ${a.sha256}; expected ${a.expectedBytes} bytes, ${a.expectedSha256}).`;

/** Captured images (image/): reading, checking, restoring, converting. */
export const imageErrors = defineErrors({
  imageHasNoWim: {
    code: 'IMAGE_INVALID',
    title: 'The image holds no WIM',
    message: (a: { location: string }) => `${a.location} holds no WIM: its volumes were captured as raw parts.`,
    hint: "Capture NTFS volumes with the capture-disk step's format 'auto' (the default) or 'wim'; raw images restore with capmedia image restore.",
  },
  imageManifestInvalid: {
    code: 'IMAGE_INVALID',
    title: 'The image manifest is not valid',
    message: (a: { where: string; why: string }) => `${a.where} is not a valid capmedia image manifest: ${a.why}.`,
    hint: 'The image is damaged or incomplete (the manifest is written last, so a capture that failed has none): capture it again.',
  },
  restoreTargetNotFile: {
    code: 'USAGE',
    title: 'The restore target is not a file',
    message: (a: { output: string }) => `${a.output} is not a regular file: capmedia image restore writes disk image files only.`,
    hint: 'Restore into a file (e.g. restored.img) and write that to a drive with a tool made for it.',
  },
  restoreTargetExists: {
    code: 'USAGE',
    title: 'The target exists',
    message: (a: { output: string }) => `${a.output} already exists.`,
    hint: 'Choose another file name, or pass --force to replace it (only once the restore succeeded).',
  },
  restorePartitionFailed: {
    code: 'RESTORE_FAILED',
    title: 'Rebuilding a partition failed',
    message: (a: { partition: number; filesystem: string; first: string }) =>
      `Rebuilding partition ${a.partition} (${a.filesystem}) from ${a.first} failed.`,
  },
  restorePartitionTableFailed: {
    code: 'RESTORE_FAILED',
    title: 'Writing the partition table failed',
    message: (a: { file: string }) => `sfdisk could not write the partition table ${a.file} into the disk image.`,
  },
  imagePartSizeWrong: {
    code: 'IMAGE_INVALID',
    title: 'A part decompressed to the wrong size',
    message: (a: { file: string; writer: number; raw: number }) =>
      `${a.file} decompressed to ${a.writer} bytes, the manifest says ${a.raw}.`,
    hint: 'The image is damaged: run capmedia image verify on it.',
  },
  rawPartMismatch: {
    code: 'IMAGE_INVALID',
    title: 'A part does not match the manifest',
    message: (a: PartFacts) => partMismatch(a),
    hint: 'The image is damaged: nothing was restored. Run capmedia image verify on it, or capture again.',
  },
  wimPartMismatch: {
    code: 'IMAGE_INVALID',
    title: 'A WIM part does not match the manifest',
    message: (a: PartFacts) => partMismatch(a),
    hint: 'The image is damaged or was changed after the capture: run capmedia image verify on it, or capture again.',
  },
  imageFolderMissing: {
    code: 'USAGE',
    title: 'The image folder does not exist',
    message: (a: { folder: string }) => `${a.folder} does not exist.`,
    hint: 'Give the folder the capture wrote (it holds manifest.json and the part files), its manifest.json, or its http(s) URL.',
  },
  notImageFolder: {
    code: 'IMAGE_INVALID',
    title: 'Not an image folder',
    message: (a: { folder: string }) => `${a.folder} is not an image folder.`,
    hint: 'Give the folder the capture wrote (it holds manifest.json and the part files), or its http(s) URL.',
  },
  imageUrlUnreadable: {
    code: 'IMAGE_INVALID',
    title: 'The image cannot be read',
    message: (a: { url: string; message: string }) => `Cannot read ${a.url}: ${a.message}.`,
    hint: 'Check the URL and that the server is up.',
  },
  imageManifestUnreadable: {
    code: 'IMAGE_INVALID',
    title: 'The image has no readable manifest',
    message: (a: { location: string; manifest: string; reason: string }) =>
      `${a.location} has no readable ${a.manifest} (${a.reason}), so it is not a complete image.`,
    hint: 'The capture agent writes the manifest last: an image without one was interrupted or failed. Capture again.',
  },
  imagePartUnreadable: {
    code: 'IMAGE_INVALID',
    title: 'A part of the image cannot be read',
    message: (a: { file: string; location: string; reason: string }) => `The part ${a.file} of ${a.location} cannot be read (${a.reason}).`,
  },
  zstdFailed: {
    code: 'IMAGE_INVALID',
    title: 'zstd could not decompress',
    message: (a: { last: string }) => `zstd could not decompress the part: ${a.last}`,
  },
  wimImageCountWrong: {
    code: 'IMAGE_INVALID',
    title: 'The WIM holds another number of images',
    message: (a: { first: string; count: number; expectedImages: number }) =>
      `${a.first} holds ${a.count} images, the manifest lists ${a.expectedImages}.`,
    hint: 'The WIM was changed after the capture: capture again.',
  },
  wimVolumeUnsupported: {
    code: 'IMAGE_INVALID',
    title: 'A WIM volume capmedia cannot rebuild',
    message: (a: { first: string; index: number; filesystem: string }) =>
      `${a.first} image ${a.index} holds a ${a.filesystem} volume, which capmedia cannot rebuild.`,
    hint: 'Apply it yourself with wimlib-imagex apply onto a volume of that type.',
  },
  wimlibFailed: {
    code: 'IMAGE_INVALID',
    title: 'wimlib-imagex failed',
    message: (a: { action: string; first: string; why: string }) => `wimlib-imagex ${a.action} failed on ${a.first}: ${a.why}`,
    hint: 'The WIM is damaged or incomplete: capture again.',
  },
  convertTargetExists: {
    code: 'USAGE',
    title: 'The target exists',
    message: (a: { target: string }) => `${a.target} already exists.`,
    hint: 'Choose another name, or pass --force to replace it.',
  },
  convertTargetNotFile: {
    code: 'USAGE',
    title: 'The target is not a file',
    message: (a: { target: string }) => `${a.target} already exists.`,
    hint: 'Choose another name: it is not a regular file.',
  },
});
