import { redact } from './redact.js';

/**
 * The error catalog. Every failure a user can meet is a CapmediaError with a
 * stable code, a message that says what happened, and a hint saying what to do.
 * Only the CLI turns them into exit codes (see `exitCodeFor`).
 */

/** usage: bad command line or config (exit 2); build: the build could not finish (exit 1). */
export type ErrorKind = 'usage' | 'build';

const KIND_BY_CODE = {
  CONFIG_NOT_FOUND: 'usage',
  CONFIG_LOAD_FAILED: 'usage',
  CONFIG_INVALID: 'usage',
  CREDENTIALS_MISSING: 'usage',
  USAGE: 'usage',
  ARCH_MISMATCH: 'usage',
  DRIVERS_MISSING: 'usage',
  LABEL_INVALID: 'usage',
  PACKAGE_NOT_FOUND: 'build',
  PACKAGE_INVALID: 'build',
  PACKAGE_INCOMPLETE: 'build',
  NO_READ_PERMISSION: 'build',
  DP_UNREACHABLE: 'build',
  /** A transfer broke off (truncated, stalled, reset): worth retrying, resuming where it stopped. */
  DOWNLOAD_INTERRUPTED: 'build',
  /** A distribution point's secret (environment variable or file) is not there. */
  AUTH_MISSING: 'usage',
  DP_UNKNOWN: 'usage',
  NO_HEALTHY_DP: 'build',
  HASH_MISMATCH: 'build',
  UNSAFE_PATH: 'build',
  TOOL_MISSING: 'build',
  TOOL_FAILED: 'build',
  NO_SPACE: 'build',
  MEDIA_TOO_SMALL: 'build',
  BOOT_IMAGE_INVALID: 'build',
  BOOT_IMAGE_BUILD_FAILED: 'build',
  PUBLISH_FAILED: 'build',
  BOOT_FAILED: 'build',
  CANCELLED: 'build',
  IO: 'build',
  IMAGE_INVALID: 'build',
  RESTORE_FAILED: 'build',
  FILE_TOO_LARGE: 'build',
  DEVICE_REFUSED: 'usage',
  NOT_CONFIRMED: 'usage',
  NOT_FAT32: 'usage',
  VERIFY_FAILED: 'build',
  /** A package's file name the media's file system (Joliet, FAT) cannot hold. */
  NAME_UNSUPPORTED: 'build',
  /** capmedia.lock is needed (build --locked, outdated) but absent. */
  LOCK_MISSING: 'usage',
  /** capmedia.lock does not list the config's packages (build --locked). */
  LOCK_MISMATCH: 'usage',
  LOCK_INVALID: 'usage',
  /** The version capmedia.lock pins is on no distribution point any more. */
  PINNED_VERSION_GONE: 'build',
  /** build --keep-going: some media failed, the others were built. */
  MEDIA_FAILED: 'build',
  /** An output would overwrite (or land inside) an input, the cache, staging, or another output. */
  OUTPUT_CONFLICT: 'usage',
  /** media.staging, the output folder or the cache folder cannot be used (a file, not writable, /proc, …). */
  FOLDER_UNUSABLE: 'usage',
  /** Another build holds the output's lock and did not finish in time. */
  OUTPUT_LOCKED: 'build',
  /** A bug in capmedia, not in the input. */
  INTERNAL: 'build',
} as const satisfies Record<string, ErrorKind>;

export type ErrorCode = keyof typeof KIND_BY_CODE;

export interface CapmediaErrorOptions {
  hint?: string;
  /** Raw tool output or cause details, shown with --verbose only. */
  detail?: string;
  cause?: unknown;
}

export class CapmediaError extends Error {
  readonly code: ErrorCode;
  readonly hint?: string;
  readonly detail?: string;

  constructor(code: ErrorCode, message: string, options: CapmediaErrorOptions = {}) {
    // Messages reach terminals, CI logs and --json: a URL's password never does.
    super(redact(message), options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CapmediaError';
    this.code = code;
    this.hint = options.hint === undefined ? undefined : redact(options.hint);
    this.detail = options.detail === undefined ? undefined : redact(options.detail);
  }

  get kind(): ErrorKind {
    return KIND_BY_CODE[this.code];
  }
}

export function isCapmediaError(error: unknown): error is CapmediaError {
  return error instanceof CapmediaError;
}

/** Exit codes of the CLI: 0 ok, 1 build failed, 2 usage or config error, 130 interrupted. */
export function exitCodeFor(error: unknown): number {
  if (!isCapmediaError(error)) return 1;
  if (error.code === 'CANCELLED') return 130;
  return error.kind === 'usage' ? 2 : 1;
}

/** Wraps a Node fs error in a sentence that names the path and the operation. */
export function ioError(operation: string, path: string, cause: unknown): CapmediaError {
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOSPC') {
    return new CapmediaError('NO_SPACE', `No space left on the device while trying to ${operation} ${path}.`, {
      hint: 'Free some space or point media.staging / the output at a larger file system.',
      cause,
    });
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return new CapmediaError('IO', `Permission denied: cannot ${operation} ${path}.`, {
      hint: 'Check the owner and mode of the path, or run with an account that may write there.',
      cause,
    });
  }
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new CapmediaError('IO', `Cannot ${operation} ${path}: ${reason}`, { cause });
}
