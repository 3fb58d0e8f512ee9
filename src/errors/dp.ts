import { defineErrors } from './entry.js';
import { REPUBLISH_HINT } from './hints.js';

/** Whose secret: "Distribution point X" / "The remote cache (cache.remote)", and its auth block's key. */
export interface Owner {
  owner: string;
  authKey: string;
}

/** Distribution points (plugins/dp/): secrets, manifests and blobs on a DP. */
export const dpErrors = defineErrors({
  dpUsernameHasColon: {
    code: 'CONFIG_INVALID',
    title: 'The user name contains a colon',
    message: (a: Owner & { username: string }) =>
      `${a.owner}: ${a.authKey}.username ${a.username} contains ":", which Basic auth cannot carry.`,
  },
  dpSecretEnvUnset: {
    code: 'AUTH_MISSING',
    title: "A secret's environment variable is not set",
    message: (a: Owner & { name: string; key: string }) =>
      `${a.owner} takes its secret from the environment variable ${a.name} (${a.authKey}.${a.key}), which is not set.`,
    hint: (a: Owner & { name: string; key: string }) =>
      `Export ${a.name} before running capmedia (in CI, from the secret store), or change ${a.authKey}.${a.key}.`,
  },
  dpBasicAuthNoPassword: {
    code: 'CONFIG_INVALID',
    title: 'Basic auth without a password source',
    message: (a: Owner) => `${a.owner}: Basic auth needs ${a.authKey}.passwordEnv or ${a.authKey}.passwordFile.`,
  },
  dpPasswordFileEmpty: {
    code: 'AUTH_MISSING',
    title: 'The password file is empty',
    message: (a: Owner & { path: string }) => `${a.owner} takes its password from ${a.path} (${a.authKey}.passwordFile), which is empty.`,
  },
  dpPasswordFileUnreadable: {
    code: 'AUTH_MISSING',
    title: 'The password file cannot be read',
    message: (a: Owner & { path: string; code: string }) =>
      `${a.owner} takes its password from ${a.path} (${a.authKey}.passwordFile), which cannot be read (${a.code}).`,
    hint: (a: Owner) => `Create the file (mode 600, one line: the password) or fix ${a.authKey}.passwordFile.`,
  },
  dpManifestNotJson: {
    code: 'PACKAGE_INVALID',
    title: 'A manifest is not valid JSON',
    message: (a: { id: string; name: string; path: string }) =>
      `The manifest of package ${a.id} on ${a.name} (${a.path}) is not valid JSON.`,
    hint: REPUBLISH_HINT,
  },
  dpBlobSizeWrong: {
    code: 'PACKAGE_INCOMPLETE',
    title: 'A blob has the wrong size',
    message: (a: { path: string; name: string; size: number; expected: number }) =>
      `The blob ${a.path} on ${a.name} has ${a.size} bytes; ${a.expected} were expected.`,
    hint: REPUBLISH_HINT,
  },
  dpContentMissing: {
    code: 'PACKAGE_NOT_FOUND',
    title: 'Not on the distribution point',
    message: (a: { what: string; name: string; path: string; displayUrl: string }) =>
      `${a.what} is not on distribution point ${a.name} (${a.path} does not exist).`,
    hint: (a: { displayUrl: string }) =>
      `Publish it with \`capmedia distribute <folder> --package <ID> --to ${a.displayUrl}\`, or check the package ID.`,
  },
  dpNoReadPermission: {
    code: 'NO_READ_PERMISSION',
    title: 'No Read permission',
    message: (a: { user: string; name: string; path: string }) => `No Read permission for ${a.user} on ${a.name}: cannot read ${a.path}.`,
    hint: 'Grant the account at least Read permission on the content library (R4).',
  },
  transferCancelled: {
    code: 'CANCELLED',
    title: 'The transfer was cancelled',
    message: () => 'The transfer was cancelled.',
    hint: 'Run the same command again: finished downloads are kept and partial ones resume.',
  },
});
