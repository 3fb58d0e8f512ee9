import { redact } from '../redact.js';
import { CODES, type CodeInfo, type ErrorCode, type ErrorEntry } from './entry.js';
import { catalog, type Catalog, type ErrorName } from './catalog.js';

/**
 * Every failure a user can meet is a CapmediaError made from an entry of the
 * catalog (`fail`): a stable code, a message that says what happened and a
 * hint saying what to do. Only the CLI turns codes into exit codes.
 */

export { CODES, type CodeInfo, type ErrorCode } from './entry.js';
export type { ErrorName } from './catalog.js';

/** usage: bad command line or config (exit 2); build: the build could not finish (exit 1). */
export type ErrorKind = 'usage' | 'build';

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

  get info(): CodeInfo {
    return CODES[this.code];
  }

  get kind(): ErrorKind {
    return this.info.exit === 2 ? 'usage' : 'build';
  }

  get retryable(): boolean {
    return this.info.retryable;
  }
}

// An entry whose message takes no facts is called with {}.
type ArgsOf<N extends ErrorName> =
  Parameters<Catalog[N]['message']> extends [] ? Record<string, never> : Parameters<Catalog[N]['message']>[0];

/** The error named in the catalog, with the facts of this occurrence. */
export function fail<N extends ErrorName>(name: N, args: ArgsOf<N>, options: Omit<CapmediaErrorOptions, 'hint'> = {}): CapmediaError {
  const entry = catalog[name] as ErrorEntry<ArgsOf<N>>;
  const hint = typeof entry.hint === 'function' ? String(entry.hint(args)) : entry.hint;
  const code = typeof entry.code === 'function' ? entry.code(args) : entry.code;
  return new CapmediaError(code, entry.message(args), { ...options, hint });
}

/**
 * The entry's message and hint for a failure that sums up others (every
 * distribution point failed): the code, which decides exit and retry, stays
 * the first cause's.
 */
export function failWithCodeOf<N extends ErrorName>(cause: CapmediaError, name: N, args: ArgsOf<N>): CapmediaError {
  const summary = fail(name, args, { cause });
  return new CapmediaError(cause.code, summary.message, { hint: summary.hint, cause });
}

/** The same error, its message prefixed (which media, which file): code, hint and detail kept. */
export function withContext(error: CapmediaError, prefix: string): CapmediaError {
  return new CapmediaError(error.code, `${prefix}${error.message}`, { hint: error.hint, detail: error.detail, cause: error });
}

export function isCapmediaError(error: unknown): error is CapmediaError {
  return error instanceof CapmediaError;
}

/** Exit codes of the CLI: 0 ok, 1 build failed, 2 usage or config error, 130 interrupted. */
export function exitCodeFor(error: unknown): number {
  return isCapmediaError(error) ? error.info.exit : 1;
}

/** Wraps a Node fs error in a sentence that names the path and the operation. */
export function ioError(operation: string, path: string, cause: unknown): CapmediaError {
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOSPC') return fail('noSpace', { operation, path }, { cause });
  if (code === 'EACCES' || code === 'EPERM') return fail('permissionDenied', { operation, path }, { cause });
  const reason = cause instanceof Error ? cause.message : String(cause);
  return fail('fileOperationFailed', { operation, path, reason }, { cause });
}
