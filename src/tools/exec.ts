import type { Options, ResultPromise } from 'execa';
import { CapmediaError } from '../errors.js';
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
    env: options.env,
    extendEnv: true,
    input: options.input,
    cancelSignal: options.cancelSignal,
    stripFinalNewline: true,
    ...(options.stdoutFile ? { stdout: { file: options.stdoutFile } } : {}),
  };
  try {
    // execa loads on the first program run: a no-change build runs none.
    const { execa } = await import('execa');
    const result = await (execa(file, [...args], execaOptions) as ResultPromise<Options>);
    return { stdout: String(result.stdout ?? ''), stderr: String(result.stderr ?? '') };
  } catch (error) {
    throw translateExecError(file, args, error);
  }
};

function translateExecError(file: string, args: readonly string[], error: unknown): CapmediaError {
  const e = error as { code?: string; isCanceled?: boolean; stderr?: unknown; exitCode?: number; shortMessage?: string };
  if (e.code === 'ENOENT') {
    const pkg = toolPackage(file);
    return new CapmediaError('TOOL_MISSING', `The program "${file}" is not installed.`, {
      hint: pkg ? `Install it with: apt-get install ${pkg} (or run ./setup.sh).` : 'Install it and try again.',
      cause: error,
    });
  }
  if (e.isCanceled) {
    return new CapmediaError('CANCELLED', `${file} was stopped because the build was cancelled.`, { cause: error });
  }
  const stderr = String(e.stderr ?? '').trim();
  const lastLine = stderr.split('\n').filter(Boolean).at(-1) ?? e.shortMessage ?? 'unknown error';
  return new CapmediaError('TOOL_FAILED', `${file} failed (exit ${e.exitCode ?? '?'}): ${lastLine}`, {
    detail: `$ ${file} ${args.join(' ')}\n${stderr}`,
    cause: error,
  });
}
