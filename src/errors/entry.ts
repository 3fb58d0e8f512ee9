/**
 * One entry of the error catalog (after astro's error data): a stable name,
 * the public code it reports, a title, the message built from the facts of
 * the case, and what to do about it. Entries are data; only `fail` turns one
 * into a thrown CapmediaError.
 */
export interface ErrorEntry<Args> {
  /** Usually fixed; a function where the facts decide it (the first distribution point's reason, say). */
  code: ErrorCode | ((args: Args) => ErrorCode);
  /** A few words, the same for every occurrence (the heading of the error's documentation). */
  title: string;
  /** What happened and why, from the facts of this occurrence. */
  message: (args: Args) => string;
  /** What the user can do about it. */
  hint?: string | ((args: Args) => string);
}

/** What a code means to a caller: the CLI's exit code, and whether trying again may succeed. */
export interface CodeInfo {
  title: string;
  exit: 1 | 2 | 130;
  /** A transient failure: the same step, tried again, may succeed (a dropped connection), unlike a wrong input. */
  retryable: boolean;
}

/** Keeps each entry's argument type while checking the table's shape. */
export const defineErrors = <T extends Record<string, ErrorEntry<any>>>(entries: T): T => entries;

const usage = (title: string): CodeInfo => ({ title, exit: 2, retryable: false });
const build = (title: string): CodeInfo => ({ title, exit: 1, retryable: false });
const transient = (title: string): CodeInfo => ({ title, exit: 1, retryable: true });

/** The public codes: what `--json` prints and scripts match on. Exit codes are decided here and nowhere else. */
export const CODES = {
  CONFIG_NOT_FOUND: usage('No config file'),
  CONFIG_LOAD_FAILED: usage('The config file could not be loaded'),
  CONFIG_INVALID: usage('The config is not valid'),
  CREDENTIALS_MISSING: usage('A credential is missing'),
  USAGE: usage('Wrong command line'),
  ARCH_MISMATCH: usage('Architectures do not match'),
  DRIVERS_MISSING: usage('Drivers are missing'),
  PACKAGE_NOT_FOUND: build('A package was not found'),
  PACKAGE_INVALID: build('A package is not valid'),
  PACKAGE_INCOMPLETE: build('A package is incomplete'),
  NO_READ_PERMISSION: build('No permission to read'),
  DP_UNREACHABLE: transient('A distribution point cannot be reached'),
  /** A transfer broke off (truncated, stalled, reset): worth retrying, resuming where it stopped. */
  DOWNLOAD_INTERRUPTED: transient('A download broke off'),
  /** A distribution point's secret (environment variable or file) is not there. */
  AUTH_MISSING: usage('A secret is missing'),
  DP_UNKNOWN: usage('Unknown distribution point'),
  NO_HEALTHY_DP: build('No distribution point can serve the content'),
  HASH_MISMATCH: build('Content does not match its hash'),
  UNSAFE_PATH: build('A path would leave its folder'),
  TOOL_MISSING: build('A system tool is missing'),
  TOOL_FAILED: build('A system tool failed'),
  NO_SPACE: build('No space left'),
  MEDIA_TOO_SMALL: build('The media is too small'),
  BOOT_IMAGE_INVALID: build('The boot image is not valid'),
  BOOT_IMAGE_BUILD_FAILED: build('The boot image could not be built'),
  PUBLISH_FAILED: build('Publishing failed'),
  BOOT_FAILED: build('The media did not boot'),
  CANCELLED: { title: 'Interrupted', exit: 130, retryable: false },
  IO: build('A file operation failed'),
  IMAGE_INVALID: build('The image is not valid'),
  RESTORE_FAILED: build('The restore failed'),
  FILE_TOO_LARGE: build('A file is too large for the file system'),
  DEVICE_REFUSED: usage('The device is refused'),
  NOT_CONFIRMED: usage('Not confirmed'),
  NOT_FAT32: usage('Not a FAT32 volume'),
  VERIFY_FAILED: build('Verification failed'),
  /** A package's file name the media's file system (Joliet, FAT) cannot hold. */
  NAME_UNSUPPORTED: build('A file name the media cannot hold'),
  /** capmedia.lock is needed (build --locked, outdated) but absent. */
  LOCK_MISSING: usage('The lock file is missing'),
  /** capmedia.lock does not list the config's packages (build --locked). */
  LOCK_MISMATCH: usage('The lock file does not match the config'),
  LOCK_INVALID: usage('The lock file is not valid'),
  /** The version capmedia.lock pins is on no distribution point any more. */
  PINNED_VERSION_GONE: build('A pinned version is gone'),
  /** build --keep-going: some media failed, the others were built. */
  MEDIA_FAILED: build('Some media failed'),
  /** An output would overwrite (or land inside) an input, the cache, staging, or another output. */
  OUTPUT_CONFLICT: usage('An output would overwrite an input'),
  /** media.staging, the output folder or the cache folder cannot be used (a file, not writable, /proc, …). */
  FOLDER_UNUSABLE: usage('A folder cannot be used'),
  /** Another build holds the output's lock and did not finish in time. */
  OUTPUT_LOCKED: transient('Another build holds the output'),
  /** A bug in capmedia, not in the input. */
  INTERNAL: build('A bug in capmedia'),
} as const satisfies Record<string, CodeInfo>;

export type ErrorCode = keyof typeof CODES;
