import { mkdtemp, readdir, readFile, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, type CliResult } from '../_helpers/cli.js';
import { baseConfig } from '../_helpers/config.js';

/** A secret no output may ever show. */
export const SECRET = 'Secret123-do-not-print';

/** Bytes a previous build left: a failed build must leave them as they are. */
export const OLD_OUTPUT = Buffer.from('previous capture.iso: must survive every failed build\n');

export interface Fixture {
  content: string;
  cacheDir: string;
}

export interface CaseDir {
  dir: string;
  fixture: Fixture;
}

export interface BadInput {
  name: string;
  /** Merged over a working config (plain JSON); a function gets the case folder. */
  config?: Record<string, unknown> | ((c: CaseDir) => Record<string, unknown>);
  /** Instead of JSON: a config file of this name with this text. */
  file?: { name: string; text: string };
  setup?: (c: CaseDir) => Promise<void>;
  args?: string[] | ((c: CaseDir) => string[]);
  env?: Record<string, string>;
  exit: number;
  message: RegExp;
}

/** The config every case starts from: the shared library and cache, staging and output in the case folder. */
export function workingConfig(fixture: Fixture): Record<string, any> {
  return { ...baseConfig(), distributionPoints: [{ name: 'local', url: `file:${fixture.content}` }], cache: { dir: fixture.cacheDir } };
}

export async function runBadInput(fixture: Fixture, bad: BadInput): Promise<{ dir: string; result: CliResult }> {
  const dir = await mkdtemp(join(tmpdir(), 'capmedia-bad-'));
  const c = { dir, fixture };
  await mkdir(join(dir, 'out'), { recursive: true });
  await writeFile(join(dir, 'out/capture.iso'), OLD_OUTPUT);
  await bad.setup?.(c);
  if (bad.file) await writeFile(join(dir, bad.file.name), bad.file.text);
  else {
    const overrides = typeof bad.config === 'function' ? bad.config(c) : (bad.config ?? {});
    await writeFile(join(dir, 'capmedia.config.json'), JSON.stringify({ ...workingConfig(fixture), ...overrides }, null, 2));
  }
  const args = typeof bad.args === 'function' ? bad.args(c) : (bad.args ?? ['build']);
  const result = await runCli(args, {
    cwd: dir,
    env: { LC_ALL: 'C', HOME: dir, XDG_CACHE_HOME: join(dir, '.xdg'), CAPMEDIA_CACHE_DIR: '', SOURCE_DATE_EPOCH: '', ...bad.env },
    timeoutMs: 120_000,
  });
  return { dir, result };
}

/**
 * Files a build writes only while it runs: none may be left by a failed one.
 * An interrupted download's `<sha>.<pid>.part` in the cache is kept on
 * purpose (the next run resumes it) where `resumable` says so.
 */
export async function leftovers(root: string, options: { resumable?: boolean } = {}): Promise<string[]> {
  const found: string[] = [];
  const walk = async (dir: string) => {
    for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      const path = join(dir, entry.name);
      const partial = options.resumable ? /\.capmedia-partial$|\.capmedia-lock$/ : /\.capmedia-partial$|\.\d+\.part$|\.capmedia-lock$/;
      if (partial.test(entry.name)) found.push(path);
      if (entry.isDirectory() && !entry.isSymbolicLink()) await walk(path);
    }
  };
  await walk(root);
  return found;
}

export async function oldOutputIntact(dir: string): Promise<boolean> {
  const bytes = await readFile(join(dir, 'out/capture.iso')).catch(() => undefined);
  return Boolean(bytes?.equals(OLD_OUTPUT));
}

/** At most `n` cases run at once: each is a CLI process, and CI has two cores. */
export function limiter(n: number): <T>(work: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: Array<() => void> = [];
  return async (work) => {
    if (active >= n) await new Promise<void>((resolve) => waiting.push(resolve));
    active++;
    try {
      return await work();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}
