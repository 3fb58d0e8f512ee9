import { formatBytes, smallestPresetFor } from '../config/size.js';
import { defineErrors, type ErrorCode } from './entry.js';

const listed = (lines: readonly string[]) => lines.join('\n');

/** Resolving the config's packages against the distribution points and the target. */
export const resolveErrors = defineErrors({
  packageOnNoDp: {
    code: 'PACKAGE_NOT_FOUND',
    title: 'A package is on no distribution point',
    message: (a: { id: string; failures: readonly string[] }) =>
      `Package ${a.id} could not be read from any distribution point:\n${listed(a.failures)}`,
    hint: (a: { id: string }) =>
      'Check the package ID, or publish it with `capmedia distribute <folder> --package ' + a.id + ' --to <dp>`.',
  },
  packageUnreadable: {
    // The first distribution point's reason (unreachable, no permission…): scripts and retries go by it.
    code: (a: { codes: readonly ErrorCode[] }) => a.codes[0] ?? 'PACKAGE_NOT_FOUND',
    title: 'A package could not be read',
    message: (a: { id: string; failures: readonly string[]; codes: readonly ErrorCode[] }) =>
      `Package ${a.id} could not be read from any distribution point:\n${listed(a.failures)}`,
    hint: 'Fix what each distribution point reported above (address, credentials, Read permission), then build again.',
  },
  notABootImage: {
    code: 'BOOT_IMAGE_INVALID',
    title: 'The boot image package is not a boot image',
    message: (a: { id: string; kind: string }) => `Package ${a.id} is a ${a.kind} package, not a boot image.`,
    hint: 'Set bootImage.package to a package published from a boot image folder (capmedia bootimage create).',
  },
  archMismatch: {
    code: 'ARCH_MISMATCH',
    title: 'The boot image cannot start on the target',
    message: (a: { packageId: string; bootArch: string; target: string; bootable: readonly string[] }) =>
      `The boot image ${a.packageId} is ${a.bootArch}, but the target computer is ${a.target}: a ${a.target} computer cannot start a ${a.bootArch} boot image.`,
    hint: (a: { target: string; bootable: readonly string[] }) =>
      `Use a boot image whose architecture is ${a.bootable.join(' or ')} (target.arch: '${a.target}'), or fix target.arch.`,
  },
  bootFilesMissing: {
    code: 'BOOT_IMAGE_INVALID',
    title: 'The boot image lacks files its platform needs',
    message: (a: { platform: string; id: string; absent: readonly string[]; hint: string }) =>
      `The ${a.platform} boot image ${a.id} lacks files its platform needs to boot: ${a.absent.join(', ')}.`,
    // the platform knows how its boot images are made
    hint: (a: { hint: string }) => a.hint,
  },
  driversMissing: {
    code: 'DRIVERS_MISSING',
    title: 'The boot image lacks drivers the target needs',
    message: (a: { id: string; missing: readonly string[]; carried: string }) =>
      `The boot image ${a.id} lacks drivers the target needs (target.drivers): ${a.missing.join(', ')}. It carries: ${a.carried}.`,
    hint: 'Add the drivers to the boot image, remove them from target.drivers, or pass --allow-missing-drivers to build anyway.',
  },
  outputIsFolder: {
    code: 'USAGE',
    title: 'A file output names a folder',
    message: (a: { key: string; media: string; output: string; example: string }) =>
      `${a.key} of media ${JSON.stringify(a.media)} is ${a.output}, which is a folder.`,
    hint: (a: { key: string; example: string }) => `Point ${a.key} at a file inside it, e.g. ${a.example}.`,
  },
  outputIsFile: {
    code: 'USAGE',
    title: 'A folder output names a file',
    message: (a: { key: string; media: string; output: string; example: string }) =>
      `${a.key} of media ${JSON.stringify(a.media)} is ${a.output}, which is a file, not a folder.`,
    hint: (a: { key: string; example: string }) =>
      `Point ${a.key} at a folder (it is created, and replaced as a whole on each build), e.g. ${a.example}.`,
  },
});

/** Checks made before anything is written: outputs against inputs, names against the media's file system. */
export const preflightErrors = defineErrors({
  cacheHoldsInput: {
    code: 'OUTPUT_CONFLICT',
    title: 'The cache folder holds an input',
    message: (a: { cacheDir: string; what: string; path: string }) => `cache.dir is ${a.cacheDir}, which holds ${a.what} (${a.path}).`,
    hint: "The cache is capmedia's to fill and `capmedia clean` empties it: point cache.dir at a folder of its own.",
  },
  outputConflict: {
    code: 'OUTPUT_CONFLICT',
    title: 'An output would overwrite an input or another output',
    message: (a: { sentence: string; key: string; example: string }) => `${a.sentence} Nothing was built or written.`,
    hint: (a: { key: string; example: string }) =>
      `Point ${a.key} at a path of its own, outside the config, its imports, distribution points, the cache and staging (e.g. ${a.example}).`,
  },
  namesUnsupported: {
    code: 'NAME_UNSUPPORTED',
    title: "File names the media's file system cannot hold",
    message: (a: { count: number; media?: string; fileSystem: string; lines: readonly string[]; packages: string }) =>
      `${a.media === undefined ? '' : `Media "${a.media}": `}${a.count === 1 ? 'A file name' : `${a.count} file names`} cannot be held by ${a.fileSystem}; nothing was fetched or written:\n${listed(a.lines)}`,
    hint: (a: { count: number; packages: string }) =>
      `Rename ${a.count === 1 ? 'it' : 'them'} in the package${a.packages ? ` (${a.packages})` : ''} and publish it again with \`capmedia distribute\`: Windows cannot hold these names, so capmedia does not rename them behind your back.`,
  },
  noHealthyDp: {
    code: 'NO_HEALTHY_DP',
    title: 'No distribution point can serve the content',
    message: (a: { lacking: readonly string[]; lines: readonly string[] }) =>
      `No distribution point can serve ${a.lacking.join(', ')} completely (R3):\n${listed(a.lines)}`,
    hint: 'Re-distribute the packages named above (capmedia distribute), or grant Read permission where it is missing.',
  },
});

const LARGER_SIZE = 'Use a larger media.size.';

/** Staging, packing, splitting and publishing the media. */
export const mediaErrors = defineErrors({
  notEnoughSpace: {
    code: 'NO_SPACE',
    title: 'Not enough free space for the build',
    message: (a: { path: string; free: number; needed: number; key: string }) =>
      `${a.path} has ${formatBytes(a.free)} free, but the build needs ${formatBytes(a.needed)} there.`,
    hint: (a: { key: string }) => `Free some space, or set ${a.key} to a folder on a larger file system.`,
  },
  mediaCannotSpan: {
    code: 'MEDIA_TOO_SMALL',
    title: 'The media are too large and cannot span volumes',
    message: (a: { type: string; size: number; sizeSpec: number | string; capacity: number; spanning: string }) =>
      `The ${a.type} media need ${formatBytes(a.size)}, more than media.size ${JSON.stringify(a.sizeSpec)} (${formatBytes(a.capacity)}), and ${a.type} media cannot span several volumes.`,
    hint: (a: { spanning: string }) => `Use a larger size, carry less content, or build a set of volumes (${a.spanning}).`,
  },
  bootLargerThanVolume: {
    code: 'MEDIA_TOO_SMALL',
    title: 'The boot files alone do not fit one volume',
    message: (a: { needed: number; capacity: number; sizeSpec: number | string }) =>
      `The boot image and task sequence alone need ${formatBytes(a.needed)} on volume 1, but media.size ${JSON.stringify(a.sizeSpec)} holds ${formatBytes(a.capacity)}.`,
    hint: (a: { needed: number }) => `Use a larger media.size: the smallest preset that fits is "${smallestPresetFor(a.needed)}".`,
  },
  fileLargerThanVolume: {
    code: 'MEDIA_TOO_SMALL',
    title: 'A file is larger than one volume',
    message: (a: { target: string; size: number; room: number }) =>
      `${a.target} is ${formatBytes(a.size)}, more than one volume holds (${formatBytes(a.room)} after the volume's own overhead).`,
    hint: (a: { size: number }) => `Use a larger media.size (the smallest preset that holds it is "${smallestPresetFor(a.size)}").`,
  },
  wimLargerThanVolume: {
    code: 'MEDIA_TOO_SMALL',
    title: 'A WIM is larger than one volume',
    message: (a: { target: string; size: number; room: number }) =>
      `${a.target} is ${formatBytes(a.size)}, more than one volume holds (${formatBytes(a.room)} after the volume's own overhead).`,
    hint: 'Set media.splitLargeFiles: true to split the .wim into .swm parts across volumes, or use a larger media.size.',
  },
  wimPartTooLarge: {
    code: 'MEDIA_TOO_SMALL',
    title: 'A WIM resource is larger than one volume',
    message: (a: { target: string; part: string; size: number; limit: number }) =>
      `${a.target} split into .swm parts, but ${a.part} is ${formatBytes(a.size)}: one resource in the WIM is larger than a volume (${formatBytes(a.limit)}).`,
    hint: 'Use a larger media.size; wimlib cannot split a single resource.',
  },
  volumesDoNotSettle: {
    code: 'MEDIA_TOO_SMALL',
    title: 'No volume plan fits',
    message: (a: { capacity: number; rounds: number }) =>
      `Could not plan volumes that each fit ${formatBytes(a.capacity)} after ${a.rounds} rounds.`,
    hint: LARGER_SIZE,
  },
  volumeOverflows: {
    code: 'MEDIA_TOO_SMALL',
    title: 'A volume overflows with nothing left to move',
    message: (a: { number: number; excess: number }) =>
      `Volume ${a.number} exceeds the capacity by ${formatBytes(a.excess)} with nothing left to move.`,
    hint: LARGER_SIZE,
  },
  volumeOverCapacity: {
    code: 'MEDIA_TOO_SMALL',
    title: 'A packed volume came out over the capacity',
    message: (a: { number: number; size: number; capacity: number }) =>
      `Volume ${a.number} came out at ${formatBytes(a.size)}, over the capacity ${formatBytes(a.capacity)}.`,
    hint: 'Use a larger media.size; please report this as a bug.',
  },
});

/** The build as a whole. */
export const runErrors = defineErrors({
  buildCancelled: {
    code: 'CANCELLED',
    title: 'The build was cancelled',
    message: (_: Record<string, never>) => 'The build was cancelled; previous outputs are untouched.',
    hint: 'Run the same command again to build.',
  },
  stepSystemCallFailed: {
    code: 'IO',
    title: 'A step met a file system error',
    message: (a: { step: string; syscall: string; path?: string; errno: string }) =>
      `The ${a.step} step could not ${a.syscall}${a.path ? ` ${a.path}` : ''}: ${a.errno}.`,
    hint: 'Check that the path exists, is writable and has space; run again with --verbose for the details.',
  },
  mediaFailed: {
    code: 'MEDIA_FAILED',
    title: 'Some media failed',
    message: (a: { count: number; lines: readonly string[] }) => `${a.count} media failed (the others were built):\n${listed(a.lines)}`,
    hint: 'Fix what is named above and build again; media already built are up to date and will be skipped.',
  },
});

/** Every error of the build steps, as one table for the catalog. */
export const buildErrors = { ...resolveErrors, ...preflightErrors, ...mediaErrors, ...runErrors };
