import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { Script } from 'node:vm';
import { defaultCacheDir } from '../config/normalize.js';
import { codeCacheKey, codeCachePath, readCodeCache, writeCodeCache, type CodeCacheEntry } from './entry.js';

/** Past this many distinct first words (typos included), an entry is no longer rewritten to add one more. */
const MAX_COMMANDS = 32;

/**
 * Runs the CommonJS bundle of the CLI as Node's loader would, but compiled through V8's code cache: Node 20 compiles
 * an ES module or a required file from source on every run, ~50 ms of CPU for the bundle before the command starts
 * and more for each function it calls. The cache is written after the command ran, so the functions it compiled on
 * first call are in it; a run of a command the entry has not seen yet (`plan` after `build`) adds its functions.
 */
export function launchBundle(bundleFile: string, bundleSha256: string, argv = process.argv.slice(2), env = process.env): void {
  const load = createRequire(bundleFile);
  // Node maps stack traces through source maps only for files its own loader read: whoever turned them on gets them.
  if (process.sourceMapsEnabled || env.CAPMEDIA_CODE_CACHE === 'off') {
    load(bundleFile);
    return;
  }
  // V8 drops the bytecode of a function left unused through a few collections: a long build would write an entry
  // without the start-up code every later run needs again. V8 verifies an entry's checksum only when told to: a damaged
  // file is then refused, not run. (V8 flags: part of what V8 checks in an entry, so they are set before every use.)
  setFlagsFromString('--no-flush-bytecode');
  setFlagsFromString('--verify-snapshot-checksum');
  const { size, mtimeMs } = statSync(bundleFile);
  const runtime = { version: process.version, arch: process.arch, flags: [...process.execArgv, env.NODE_OPTIONS ?? ''] };
  const key = codeCacheKey({ sha256: bundleSha256, size, mtimeMs }, runtime);
  const path = codeCachePath(defaultCacheDir(env), key, bundleSha256);
  const found = readCodeCache(path, key);
  const cached = found.state === 'found' ? found.entry : undefined;
  // The bundle is ASCII (scripts/bundle-cli.mjs): as latin1 it becomes a one-byte string without UTF-8 decoding.
  const source = readFileSync(bundleFile, 'latin1');
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: bundleFile,
    // No importModuleDynamically: with cached code Node 20 loses it, so the bundle has no import() of its own (see
    // src/code-cache/import-module.ts) and one added by mistake fails on every run, not only after the first.
    cachedData: cached?.data,
  });
  const state = script.cachedDataRejected ? 'rejected' : found.state === 'found' ? 'used' : found.state;
  const say = env.CAPMEDIA_DEBUG_CODE_CACHE === '1' ? (text: string) => process.stderr.write(`capmedia code cache: ${text}\n`) : undefined;
  say?.(`${state} ${path}`);
  const command = commandOf(argv);
  const commands = state === 'used' ? cached!.commands : [];
  if (state !== 'used' || (!commands.includes(command) && commands.length < MAX_COMMANDS)) {
    process.once('exit', () => {
      const entry: CodeCacheEntry = { key, commands: [...commands, command], data: script.createCachedData() };
      const problem = writeCodeCache(path, entry);
      say?.(problem ? `not written: ${problem}` : `written ${path} (${entry.data.length} bytes; ${entry.commands.join(' ')})`);
    });
  }
  const module = { exports: {} };
  (script.runInThisContext() as (...args: unknown[]) => void)(module.exports, load, module, bundleFile, dirname(bundleFile));
}

/** The command of a run as far as its arguments show without parsing them: the first word, else the first flag. */
function commandOf(argv: string[]): string {
  const word = argv.find((arg) => !arg.startsWith('-')) ?? argv[0] ?? '';
  return /^[\w-]{1,32}$/.test(word) ? word : '';
}
