import { execa } from 'execa';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));
const CLI = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  all: string;
}

/** Runs the real CLI (from source, through tsx) as a user would, non-TTY like CI. */
export async function runCli(
  args: string[],
  options: { cwd: string; env?: Record<string, string>; timeoutMs?: number },
): Promise<CliResult> {
  const result = await execa('node', ['--import', import.meta.resolve('tsx'), CLI, ...args], {
    cwd: options.cwd,
    env: { CI: 'true', ...options.env },
    reject: false,
    all: true,
    timeout: options.timeoutMs ?? 300_000,
    preferLocal: true,
    localDir: REPO,
  });
  return { exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr), all: String(result.all) };
}
