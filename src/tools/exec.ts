import type { Options, ResultPromise } from 'execa';
import { CapmediaError, fail } from '../errors/index.js';
import { parseSourceDateEpoch } from '../epoch.js';
import { toolPackage } from './packages.js';

export interface ExecOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  input?: string | Buffer;
  cancelSignal?: AbortSignal;
  /** Pipe stdout to this file instead of capturing it. */
  stdoutFile?: string;
}

export interface ExecResult {
  stdout: string;
  stderr: string;
}

/** Runs a program with an argument array (never a shell string). Injected so unit tests can fake it. */
export type Exec = (file: string, args: readonly string[], options?: ExecOptions) => Promise<ExecResult>;

export const exec: Exec = async (file, args, options = {}) => {
  const execaOptions: Options = {
    cwd: options.cwd,
    env: toolEnvironment(options.env),
    extendEnv: false,
    input: options.input,
    cancelSignal: options.cancelSignal,
    stripFinalNewline: true,
    ...(options.stdoutFile ? { stdout: { file: options.stdoutFile } } : {}),
  };
  // A program started after Ctrl-C would only be stopped again, and may create its output after the cleanup.
  if (options.cancelSignal?.aborted) throw fail('toolCancelled', { program: file });
  try {
    // execa loads on the first program run: a no-change build runs none.
    const { execa } = await import('execa');
    const result = await tracked(execa(file, [...args], execaOptions) as ResultPromise<Options>);
    return { stdout: String(result.stdout ?? ''), stderr: String(result.stderr ?? '') };
  } catch (error) {
    throw translateExecError(file, args, error);
  }
};

/** Programs this process runs now: a cancelled build waits for them to exit before it removes what they wrote. */
const running = new Set<Promise<unknown>>();

function tracked<T>(child: Promise<T>): Promise<T> {
  const ended = child.then(ignore, ignore).finally(() => running.delete(ended));
  running.add(ended);
  return child;
}

const ignore = (): void => undefined;

/** Resolves once every program started through `exec` has exited, or after `ms`, whichever comes first. */
export async function programsEnded(ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const waited = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  await Promise.race([Promise.all(running), waited]).finally(() => clearTimeout(timer));
}

/**
 * The inherited environment plus the caller's, minus what would make a tool
 * refuse to run: xorriso stops with "Malformed environment variable" on an
 * empty or non-numeric SOURCE_DATE_EPOCH (CI systems often export it empty).
 * Callers that need a fixed time pass a valid one explicitly.
 */
export function toolEnvironment(extra: ExecOptions['env'] = {}, inherited: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries({ ...inherited, ...extra })) if (value !== undefined) env[name] = value;
  if (env.SOURCE_DATE_EPOCH !== undefined && parseSourceDateEpoch(env.SOURCE_DATE_EPOCH) === undefined) delete env.SOURCE_DATE_EPOCH;
  return env;
}

function translateExecError(file: string, args: readonly string[], error: unknown): CapmediaError {
  const e = error as { code?: string; isCanceled?: boolean; stderr?: unknown; exitCode?: number; shortMessage?: string };
  if (e.code === 'ENOENT') {
    return fail('programMissing', { program: file, pkg: toolPackage(file) }, { cause: error });
  }
  if (e.isCanceled) {
    return fail('toolCancelled', { program: file }, { cause: error });
  }
  const stderr = String(e.stderr ?? '').trim();
  const lastLine = stderr.split('\n').filter(Boolean).at(-1) ?? e.shortMessage ?? 'unknown error';
  return fail(
    'toolFailed',
    { program: file, exitCode: e.exitCode ?? '?', lastLine },
    { detail: `$ ${file} ${args.join(' ')}\n${stderr}`, cause: error },
  );
}
