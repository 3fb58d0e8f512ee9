import { defineErrors } from './entry.js';
import { REPUBLISH_HINT } from './hints.js';

/** The content library (library/): publishing, manifests, tarballs, versions. */
export const libraryErrors = defineErrors({
  packageManifestInvalid: {
    code: 'PACKAGE_INVALID',
    title: 'The package manifest is not valid',
    message: (a: { where: string; lines: string }) => `The package manifest ${a.where} is not valid:\n${a.lines}`,
    hint: REPUBLISH_HINT,
  },
  packageManifestNoBootImage: {
    code: 'PACKAGE_INVALID',
    title: 'The boot image section is missing',
    message: (a: { where: string }) => `The package manifest ${a.where} is a boot image but has no bootImage {platform, arch} section.`,
    hint: 'Publish boot images with a capmedia-package.json that declares bootImage.platform and bootImage.arch.',
  },
  packageManifestDuplicatePath: {
    code: 'PACKAGE_INVALID',
    title: 'A path is listed twice',
    message: (a: { where: string; path: string }) =>
      `The package manifest ${a.where} lists ${a.path} twice (paths are compared case-insensitively, as FAT and Joliet do).`,
  },
  publishMetadataNotJson: {
    code: 'PACKAGE_INVALID',
    title: 'The package metadata is not JSON',
    message: (a: { where: string; message: string }) => `${a.where} is not valid JSON: ${a.message}`,
  },
  publishMetadataInvalid: {
    code: 'PACKAGE_INVALID',
    title: 'The package metadata is not valid',
    message: (a: { where: string; lines: string }) => `${a.where} is not valid:\n${a.lines}`,
  },
  publishSourceUnsupported: {
    code: 'USAGE',
    title: 'Neither a folder nor a tarball',
    message: (a: { source: string }) => `${a.source} is neither a folder nor a tarball.`,
    hint: 'Pass the package folder, or a .tar / .tar.gz of it.',
  },
  packageIdMissing: {
    code: 'USAGE',
    title: 'No package ID',
    message: (a: { where: string; metadataFile: string }) => `No package ID for ${a.where}.`,
    hint: (a: { metadataFile: string }) => `Pass --package ID, or set "id" in ${a.metadataFile}.`,
  },
  packageIdInvalid: {
    code: 'USAGE',
    title: 'Not a valid package ID',
    message: (a: { id: string }) => `${a.id} is not a valid package ID.`,
    hint: 'Package IDs are letters, digits, ".", "_" or "-" (at most 64), starting with a letter or digit, e.g. CM100004.',
  },
  unsafePath: {
    code: 'UNSAFE_PATH',
    title: 'A path would leave the package',
    message: (a: { path: string; where: string; problem: string }) => `Refusing the path ${a.path} in ${a.where}: ${a.problem}.`,
    hint: 'Paths in a package must be relative, use "/" separators and stay inside the package (no "..", no absolute paths).',
  },
  tarDuplicatePath: {
    code: 'PACKAGE_INVALID',
    title: 'A tarball holds a path twice',
    message: (a: { tarball: string; path: string }) => `${a.tarball} holds ${a.path} twice; which one is meant is ambiguous.`,
  },
  tarEntryUnsupported: {
    code: 'UNSAFE_PATH',
    title: 'A tarball entry of an unsupported kind',
    message: (a: { path: string; tarball: string; type: string }) =>
      `Refusing ${a.path} in ${a.tarball}: it is a ${a.type}; a package holds only files, folders and links.`,
  },
  tarLinkLoop: {
    code: 'PACKAGE_INVALID',
    title: 'A link loop in a tarball',
    message: (a: { path: string; tarball: string }) => `The link ${a.path} in ${a.tarball} is part of a loop.`,
  },
  tarballUnreadable: {
    code: 'USAGE',
    title: 'The tarball cannot be read',
    message: (a: { path: string; code: string }) => `Cannot read the tarball ${a.path} (${a.code}).`,
  },
  tarballInvalid: {
    code: 'PACKAGE_INVALID',
    title: 'Not a tar archive',
    message: (a: { path: string; message: string }) => `${a.path} is not a readable tar archive (.tar or .tar.gz): ${a.message}.`,
    hint: 'Create it with `tar -czf package.tar.gz -C <folder> .`',
  },
  tarLinkOutside: {
    code: 'UNSAFE_PATH',
    title: 'A link points outside the package',
    message: (a: { path: string; linkname: string; tarball: string }) =>
      `Refusing the link ${a.path} → ${a.linkname} in ${a.tarball}: it points outside the package.`,
    hint: 'Put the file itself into the package; links may not escape it.',
  },
  contentCorrupt: {
    code: 'HASH_MISMATCH',
    title: 'Content is corrupt',
    message: (a: { what: string; found: string }) => `The ${a.what} is corrupt: ${a.found}.`,
    hint: 'The copy on the distribution point is damaged or was changed after publishing; re-publish the package.',
  },
  contentChangedWhilePublished: {
    code: 'HASH_MISMATCH',
    title: 'Content changed while published',
    message: (a: { what: string; found: string }) => `The ${a.what} changed while it was published: ${a.found}.`,
    hint: 'Publish again once nothing writes to the source; the distribution point kept no partial copy.',
  },
  packageNotOnDp: {
    code: 'PACKAGE_NOT_FOUND',
    title: 'The package is not on the distribution point',
    message: (a: { id: string; name: string; path: string; displayUrl: string }) =>
      `Package ${a.id} is not on distribution point ${a.name} (${a.path} does not exist at ${a.displayUrl}).`,
    hint: (a: { id: string; displayUrl: string }) =>
      `Publish it with \`capmedia distribute <folder> --package ${a.id} --to ${a.displayUrl}\`, or check the package ID.`,
  },
  libraryCopyDamaged: {
    code: 'HASH_MISMATCH',
    title: 'A library copy is damaged',
    message: (a: { path: string; name: string; actual: string; id: string }) =>
      `${a.path} on ${a.name} hashes to ${a.actual}, not to the sha256 its name promises: the library copy is damaged.`,
    hint: (a: { id: string }) => `Publish package ${a.id} again with \`capmedia distribute\`, or remove the damaged file from the library.`,
  },
  versionsIndexInvalid: {
    code: 'PACKAGE_INVALID',
    title: 'Not a versions index',
    message: (a: { path: string; name: string; id: string }) => `${a.path} on ${a.name} is not a versions index.`,
    hint: (a: { id: string }) => `Publish package ${a.id} again with \`capmedia distribute\`; it rewrites the index.`,
  },
  manifestIdMismatch: {
    code: 'PACKAGE_INVALID',
    title: 'The manifest declares another ID',
    message: (a: { where: string; declared: string; expected: string }) => `${a.where} declares id ${a.declared}, not ${a.expected}.`,
  },
  packageJsonInvalid: {
    code: 'PACKAGE_INVALID',
    title: 'Not valid JSON',
    message: (a: { where: string }) => `${a.where} is not valid JSON.`,
    hint: REPUBLISH_HINT,
  },
  specialFileInPackage: {
    code: 'UNSAFE_PATH',
    title: 'A special file in the folder',
    message: (a: { absolute: string }) => `${a.absolute} is neither a file nor a folder (device, socket or FIFO).`,
    hint: 'Remove it from the folder before publishing.',
  },
  danglingSymlink: {
    code: 'UNSAFE_PATH',
    title: 'A symlink points to nothing',
    message: (a: { path: string }) => `The symlink ${a.path} points to nothing.`,
    hint: 'Remove the dangling link or make it point at a file inside the folder.',
  },
  symlinkOutside: {
    code: 'UNSAFE_PATH',
    title: 'A symlink points outside the folder',
    message: (a: { path: string; real: string }) => `The symlink ${a.path} points outside the folder (to ${a.real}).`,
    hint: 'Copy the file into the folder instead; links may not escape the package.',
  },
  tarLinkToFolder: {
    code: 'PACKAGE_INVALID',
    title: 'A link in a tarball points to a folder',
    message: (a: { path: string; tarball: string; target: string }) =>
      `The link ${a.path} in ${a.tarball} points to a folder (${a.target}).`,
    hint: 'Tarball packages may link files, not folders: archive the folder itself.',
  },
  tarLinkDangling: {
    code: 'UNSAFE_PATH',
    title: 'A link in a tarball points to nothing',
    message: (a: { path: string; tarball: string; target: string }) =>
      `The link ${a.path} in ${a.tarball} points to nothing (${a.target}).`,
    hint: 'Remove the dangling link or make it point at a file inside the package.',
  },
});
