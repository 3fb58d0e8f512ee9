import { defineErrors, type ErrorCode } from './entry.js';

const republish = 'The copy on the distribution point is damaged or was changed after publishing; re-publish the package.';

const rightOf = (operation: 'read' | 'write'): string => (operation === 'read' ? 'Read' : 'Write');

const capitalize = (text: string): string => {
  const plain = String(text);
  return plain.charAt(0).toUpperCase() + plain.slice(1);
};

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
  noSourceDelivered: {
    // Damage anywhere decides (nothing may be staged from it); else the first distribution point's reason, which retries go by.
    code: (a: { corrupt?: boolean; codes: readonly ErrorCode[] }) => (a.corrupt ? 'HASH_MISMATCH' : (a.codes[0] ?? 'NO_HEALTHY_DP')),
    title: 'No distribution point delivered a correct copy',
    message: (a: { path: string; packageId: string; failures: readonly string[]; corrupt: boolean; codes: readonly ErrorCode[] }) =>
      `No distribution point delivered a correct copy of ${a.path} (package ${a.packageId}):\n${a.failures.map((f) => `  ${f}`).join('\n') || '  no distribution point has it'}`,
    hint: (a: { corrupt: boolean }) =>
      a.corrupt
        ? 'Re-publish the package with `capmedia distribute`; nothing damaged was staged.'
        : 'Check the distribution points named above, then build again: what was downloaded is kept and resumes.',
  },
  // A distribution point on a web server (plugins/dp/http/): what the connection, the answer or the body did.
  httpTransferStalled: {
    code: 'DOWNLOAD_INTERRUPTED',
    title: 'A transfer stalled',
    message: (a: { what: string; name: string; seconds: number }) =>
      `The transfer of ${a.what} from ${a.name} stalled: no data for ${a.seconds} s.`,
  },
  httpTransferBrokeOff: {
    code: 'DOWNLOAD_INTERRUPTED',
    title: 'A transfer broke off',
    message: (a: { what: string; name: string; reason: string }) => `The transfer of ${a.what} from ${a.name} broke off (${a.reason}).`,
  },
  httpCertificateUntrusted: {
    code: 'DP_UNREACHABLE',
    title: "The server's TLS certificate is not trusted",
    message: (a: { where: string; code: string }) => `${a.where} is unreachable: its TLS certificate is not trusted (${a.code}).`,
    hint: 'Set ca: to the PEM bundle of the CA that signed the server certificate, or fix the certificate. Verification is never turned off.',
  },
  httpHostUnresolved: {
    code: 'DP_UNREACHABLE',
    title: 'The host name does not resolve',
    message: (a: { where: string; host: string }) => `${a.where} is unreachable: the host name ${a.host} does not resolve (DNS).`,
    hint: 'Check the URL and the DNS settings of this machine.',
  },
  httpConnectionRefused: {
    code: 'DP_UNREACHABLE',
    title: 'The connection was refused',
    message: (a: { where: string }) => `${a.where} is unreachable: the connection was refused (nothing listens on that port).`,
    hint: 'Check the URL and that the web server runs.',
  },
  httpNoConnection: {
    code: 'DP_UNREACHABLE',
    title: 'No connection to the server',
    message: (a: { where: string; reason: string }) => `${a.where} is unreachable: ${a.reason}.`,
    hint: 'Check the network path (firewall, proxy, VPN) to the server.',
  },
  httpNoAnswer: {
    code: 'DP_UNREACHABLE',
    title: 'The server did not answer in time',
    message: (a: { where: string; what: string; seconds: number }) =>
      `${a.where} did not answer the request for ${a.what} within ${a.seconds} s (timeout).`,
  },
  httpRequestFailed: {
    code: 'DP_UNREACHABLE',
    title: 'A request failed',
    message: (a: { where: string; what: string; reason: string }) => `${a.where} failed while fetching ${a.what}: ${a.reason}.`,
  },
  httpPermissionRefused: {
    code: (a: { operation?: 'read' | 'write' }) => (a.operation === 'read' ? 'NO_READ_PERMISSION' : 'PUBLISH_FAILED'),
    title: 'The server refused the account',
    message: (a: { operation: 'read' | 'write'; status: number; account: string; name: string; answered: string; what: string }) =>
      `No ${rightOf(a.operation)} permission for ${a.account} on ${a.name}: ${a.answered} for ${a.what}.`,
    hint: (a: { operation: 'read' | 'write'; status: number; account: string }) =>
      a.status === 401
        ? 'Check the user name and the password (or token) the distribution point uses.'
        : `Grant ${a.account} at least ${rightOf(a.operation)} permission on the content library (R4).`,
  },
  httpNotFound: {
    code: 'PACKAGE_NOT_FOUND',
    title: 'Not on the distribution point',
    message: (a: { what: string; name: string; answered: string; url: string }) =>
      `${capitalize(a.what)} is not on distribution point ${a.name} (${a.answered}).`,
    hint: (a: { url: string }) => `Publish it with \`capmedia distribute <folder> --package <ID> --to ${a.url}\`, or check the package ID.`,
  },
  httpServerBusy: {
    code: 'DP_UNREACHABLE',
    title: 'The server could not serve a request',
    message: (a: { name: string; what: string; answered: string }) => `${a.name} could not serve ${a.what}: ${a.answered}.`,
  },
  httpRedirected: {
    code: 'DP_UNREACHABLE',
    title: 'The server redirects',
    message: (a: { name: string; what: string; location: string }) =>
      `${a.name} redirects ${a.what} to ${a.location}; capmedia does not follow redirects (credentials must not travel elsewhere).`,
    hint: 'Use the final URL in distributionPoints[].url.',
  },
  httpReadRefused: {
    code: 'DP_UNREACHABLE',
    title: 'The server refused a read',
    message: (a: { name: string; what: string; answered: string }) => `${a.name} refused to read ${a.what}: ${a.answered}.`,
  },
  httpWriteRefused: {
    code: 'PUBLISH_FAILED',
    title: 'The server refused a write',
    message: (a: { name: string; what: string; answered: string }) => `${a.name} refused to write ${a.what}: ${a.answered}.`,
    hint: 'The server must accept WebDAV PUT there (nginx: dav_methods PUT; create_full_put_path on;).',
  },
  httpResumeRangeWrong: {
    code: 'DP_UNREACHABLE',
    title: 'A resume got the wrong range',
    message: (a: { name: string; what: string; start: number; range: string }) =>
      `${a.name} answered the resume of ${a.what} at byte ${a.start} with the range "${a.range}".`,
  },
  httpManifestTooLarge: {
    code: 'PACKAGE_INVALID',
    title: 'A manifest is too large',
    message: (a: { id: string; name: string; mib: number }) =>
      `The manifest of package ${a.id} on ${a.name} is larger than ${a.mib} MiB; it is not a package manifest.`,
  },
  httpDocumentTooLarge: {
    code: 'PACKAGE_INVALID',
    title: 'A library document is too large',
    message: (a: { url: string; mib: number }) => `${a.url} is larger than ${a.mib} MiB; it is not a library document.`,
  },
  httpCaUnreadable: {
    code: 'CONFIG_INVALID',
    title: 'The CA bundle cannot be read',
    message: (a: { path: string; name: string; code: string }) =>
      `The CA bundle ${a.path} of distribution point ${a.name} cannot be read (${a.code}).`,
    hint: 'Point distributionPoints[].ca at a PEM file.',
  },
  httpUrlHasSecret: {
    code: 'CONFIG_INVALID',
    title: 'The URL carries a secret',
    message: (a: { name: string; url: string }) =>
      `distributionPoints ${a.name}: the url ${a.url} carries a user name or password; secrets never go in the config.`,
    hint: 'Use auth: { username, passwordEnv } (or passwordFile, or tokenEnv) instead.',
  },
});
