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

/** Variables of the test runner's own environment that would change what a build makes or where it caches. */
const AMBIENT = ['SOURCE_DATE_EPOCH', 'CAPMEDIA_CACHE_DIR', 'LANG', 'LANGUAGE', 'LC_ALL', 'LC_CTYPE', 'LC_MESSAGES', 'TZ'];

/** The CLI's environment: the runner's, minus what a test must set itself, as CI in the C.UTF-8 locale. */
export function cliEnvironment(): Record<string, string> {
  const env = Object.fromEntries(
    Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined && !AMBIENT.includes(e[0])),
  );
  return { ...env, CI: 'true', LC_ALL: 'C.UTF-8', TZ: 'UTC' };
}

/** Runs the real CLI (from source, through tsx) as a user would, non-TTY like CI. */
export async function runCli(
  args: string[],
  options: { cwd: string; env?: Record<string, string>; timeoutMs?: number },
): Promise<CliResult> {
  const result = await execa('node', ['--import', import.meta.resolve('tsx'), CLI, ...args], {
    cwd: options.cwd,
    env: { ...cliEnvironment(), ...options.env },
    extendEnv: false,
    reject: false,
    all: true,
    timeout: options.timeoutMs ?? 300_000,
    preferLocal: true,
    localDir: REPO,
  });
  return { exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr), all: String(result.all) };
}
