import { defineErrors } from './entry.js';

const republish = 'The copy on the distribution point is damaged or was changed after publishing; re-publish the package.';

/** Bringing blobs into the content store: downloads, resumes, and the hash that decides whether a blob gets its name. */
export const transferErrors = defineErrors({
  downloadTooLong: {
    code: 'HASH_MISMATCH',
    title: 'A download is longer than its manifest says',
    message: (a: { sha256: string; size: number }) =>
      `The download of ${a.sha256.slice(0, 12)}… is corrupt: it is longer than the ${a.size} bytes the manifest says.`,
    hint: republish,
  },
  downloadIncomplete: {
    code: 'DOWNLOAD_INTERRUPTED',
    title: 'A download is incomplete',
    message: (a: { what: string; bytes: number; size: number }) => `The ${a.what} is incomplete: ${a.bytes} of ${a.size} bytes.`,
  },
  downloadEndedEarly: {
    code: 'DOWNLOAD_INTERRUPTED',
    title: 'A transfer ended early',
    message: (a: { what: string; bytes: number; size: number }) => `The transfer of ${a.what} ended after ${a.bytes} of ${a.size} bytes.`,
  },
  blobCorrupt: {
    code: 'HASH_MISMATCH',
    title: 'Content does not match its hash',
    message: (a: { what: string; bytes: number; actual: string; expected: string }) =>
      `The ${a.what} is corrupt: got ${a.bytes} bytes with sha256 ${a.actual.slice(0, 16)}…, expected sha256 ${a.expected.slice(0, 16)}….`,
    hint: republish,
  },
  localBlobCorrupt: {
    code: 'HASH_MISMATCH',
    title: 'Content does not match its hash',
    message: (a: { what: string; bytes: number; size: number; actual: string; expected: string }) =>
      `The ${a.what} is corrupt: got ${a.bytes} bytes with sha256 ${a.actual.slice(0, 16)}…, expected ${a.size} bytes with sha256 ${a.expected.slice(0, 16)}….`,
    hint: republish,
  },
  diskAcceptsNoMore: {
    code: 'IO',
    title: 'The disk accepted no more bytes',
    message: (a: { path: string }) => `Cannot store ${a.path}: the disk accepted no more bytes.`,
    hint: 'Check the free space and health of the file system holding the cache.',
  },
  imageRewrittenWhileHashed: {
    code: 'TOOL_FAILED',
    title: 'An image was rewritten after it was hashed',
    message: (a: { path: string }) =>
      `${a.path} was rewritten at its start after it was hashed; the hash taken while writing cannot be trusted`,
    hint: 'Build again; if it happens again, report it with the version of the tool that wrote the image (xorriso -version).',
  },
  hashThreadFailed: {
    code: 'INTERNAL',
    title: 'The hashing thread failed',
    message: (a: { reason: string }) => `The thread that hashes downloads and images stopped: ${a.reason}`,
    hint: 'This is a bug in capmedia (or the machine ran out of memory); run again with --verbose and report the output.',
  },
  hashAbandoned: {
    code: 'INTERNAL',
    title: 'A hash was used after it was given up',
    message: (_: object) => 'A hash was asked for after its transfer had been given up.',
    hint: 'This is a bug in capmedia; run again with --verbose and report the output.',
  },
});
