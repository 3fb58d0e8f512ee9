import { setTimeout as delay } from 'node:timers/promises';
import { CapmediaError, type CapmediaErrorOptions, type ErrorCode, fail, isCapmediaError } from '../../errors/index.js';

/**
 * A failure worth trying again: a 5xx answer, a reset or stalled connection, a
 * body that broke off. `phase` says whether the server was reached at all:
 * a refused or timed-out connection is retried while downloading, but not
 * while merely checking a distribution point (verify reports it at once).
 */
export class TransientError extends CapmediaError {
  /** How long the server asked us to wait (Retry-After). */
  readonly retryAfterMs?: number;

  constructor(
    code: Extract<ErrorCode, 'DP_UNREACHABLE' | 'DOWNLOAD_INTERRUPTED'>,
    message: string,
    readonly phase: 'connect' | 'response',
    options: CapmediaErrorOptions & { retryAfterMs?: number } = {},
  ) {
    super(code, message, options);
    this.retryAfterMs = options.retryAfterMs;
  }

  /** A catalog error marked as worth retrying in `phase`; only a code the code table calls retryable may be. */
  static from(error: CapmediaError, phase: TransientError['phase'], retryAfterMs?: number): TransientError {
    if (!error.retryable) throw fail('unexpected', { reason: `${error.code} is not a retryable code` });
    const code = error.code as ConstructorParameters<typeof TransientError>[0];
    return new TransientError(code, error.message, phase, { hint: error.hint, detail: error.detail, cause: error.cause, retryAfterMs });
  }
}

/**
 * Worth trying again: the code table says so (`error.retryable`), and the
 * failure happened in one of `phases`. A TransientError knows its phase; an
 * unreachable DP that is not one never got an answer (connect), a transfer
 * that broke off did (response).
 */
export function isTransient(error: unknown, phases: ReadonlyArray<Phase> = ['connect', 'response']): error is CapmediaError {
  return isCapmediaError(error) && error.retryable && phases.includes(phaseOf(error));
}

type Phase = TransientError['phase'];

const phaseOf = (error: CapmediaError): Phase =>
  error instanceof TransientError ? error.phase : error.code === 'DP_UNREACHABLE' ? 'connect' : 'response';

export interface RetryPolicy {
  attempts: number;
  /** First delay; doubled each time, capped at maxDelayMs, with ±20 % jitter so parallel fetches do not retry in step. */
  baseDelayMs: number;
  maxDelayMs: number;
  signal?: AbortSignal;
}

export const DOWNLOAD_RETRIES: RetryPolicy = { attempts: 6, baseDelayMs: 250, maxDelayMs: 10_000 };
export const METADATA_RETRIES: RetryPolicy = { attempts: 3, baseDelayMs: 200, maxDelayMs: 2_000 };

export function backoffMs(policy: RetryPolicy, attempt: number, error?: unknown): number {
  const retryAfter = error instanceof TransientError ? error.retryAfterMs : undefined;
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  const jittered = exponential * (0.8 + Math.random() * 0.4);
  // A server that says when to come back knows best, within reason.
  return retryAfter === undefined ? jittered : Math.min(Math.max(retryAfter, jittered), 30_000);
}

export async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  try {
    await delay(ms, undefined, { signal });
  } catch {
    throw cancelled();
  }
}

export function cancelled(): CapmediaError {
  return fail('transferCancelled', {});
}

/** Runs work until it succeeds, fails for good, or the attempts run out. */
export async function withRetries<T>(
  work: (attempt: number) => Promise<T>,
  policy: RetryPolicy,
  retryable: (error: unknown) => boolean = isTransient,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work(attempt);
    } catch (error) {
      if (attempt >= policy.attempts || !retryable(error) || policy.signal?.aborted) throw error;
      await sleep(backoffMs(policy, attempt, error), policy.signal);
    }
  }
}
