import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * V8's compiled code for the CLI bundle, kept between runs (Node 20 has no compile cache of its own for this): one file
 * per bundle and runtime, written by the launcher as the process exits. V8 checks the source's length, its version
 * and flags before it uses cached code, and its checksum when the launcher turns that on; the file adds the full key
 * and the length, and anything that does not match is treated as absent (never an error: the cache only saves time).
 * No node:crypto here: loading it costs more CPU (~3 ms) than a short command saves.
 */
export interface CodeCacheEntry {
  key: string;
  /** The commands whose runs compiled the code in `data` (see launch.ts). */
  commands: string[];
  data: Uint8Array;
}

export type ReadResult = { state: 'found'; entry: CodeCacheEntry } | { state: 'missing' | 'corrupt' };

const MAGIC = 'capmedia-code-cache 2\n';
const KEEP_ENTRIES = 4;

interface Header {
  key: string;
  commands: string[];
  bytes: number;
}

/** The bundle as built, identified by its bytes' sha256, and its size and mtime as found (no edit since). */
export interface BundleIdentity {
  sha256: string;
  size: number;
  mtimeMs: number;
}

/** What V8's code depends on: the bundle, the runtime and every flag given to it. */
export function codeCacheKey(bundle: BundleIdentity, runtime: { version: string; arch: string; flags: string[] }): string {
  return JSON.stringify([bundle.sha256, bundle.size, bundle.mtimeMs, runtime.version, runtime.arch, ...runtime.flags]);
}

/** `<cache dir>/code/<bundle sha256 prefix>-<key hash>.bin`, beside the compiled configs; the file holds the whole key. */
export function codeCachePath(cacheDir: string, key: string, bundleSha256: string): string {
  return join(cacheDir, 'code', `${bundleSha256.slice(0, 16)}-${fnv1a(key)}.bin`);
}

export function readCodeCache(path: string, key: string): ReadResult {
  let file: Buffer;
  try {
    file = readFileSync(path);
  } catch {
    return { state: 'missing' };
  }
  const newline = file.indexOf(10, MAGIC.length);
  if (file.toString('latin1', 0, MAGIC.length) !== MAGIC || newline < 0) return { state: 'corrupt' };
  try {
    const header = JSON.parse(file.toString('utf8', MAGIC.length, newline)) as Header;
    const data = file.subarray(newline + 1);
    if (header.key !== key || data.length !== header.bytes || !Array.isArray(header.commands)) return { state: 'corrupt' };
    return { state: 'found', entry: { key, commands: header.commands, data } };
  } catch {
    return { state: 'corrupt' };
  }
}

/**
 * Temp-then-rename, synchronously: the launcher writes as the process exits, where nothing asynchronous runs any more.
 * Returns why it could not write (an unwritable cache folder, a full disk), never throws.
 */
export function writeCodeCache(path: string, entry: CodeCacheEntry): string | undefined {
  const header: Header = { key: entry.key, commands: entry.commands, bytes: entry.data.length };
  // One writer per process: the pid keeps two processes writing the same entry apart.
  const temp = join(dirname(path), `.${basename(path)}.${process.pid.toString(16).padStart(8, '0')}.capmedia-partial`);
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(temp, Buffer.concat([Buffer.from(`${MAGIC}${JSON.stringify(header)}\n`), entry.data]));
    renameSync(temp, path);
  } catch (error) {
    removeQuietly(temp);
    return error instanceof Error ? error.message : String(error);
  }
  pruneOthers(path);
  return undefined;
}

/** Each capmedia version (and Node version) leaves its own entry: the few written last stay, for side-by-side installs. */
function pruneOthers(path: string): void {
  try {
    const folder = dirname(path);
    const entries = readdirSync(folder)
      .filter((name) => name.endsWith('.bin') && !name.startsWith('.'))
      .map((name) => ({ file: join(folder, name), mtime: statSync(join(folder, name)).mtimeMs }))
      .sort((a, b) => b.mtime - a.mtime);
    for (const { file } of entries.slice(KEEP_ENTRIES)) if (file !== path) removeQuietly(file);
  } catch {
    // another process pruning at the same time; the next write prunes again
  }
}

/** Not there, or its folder not even a folder: either way nothing is left to remove. */
function removeQuietly(path: string): void {
  try {
    rmSync(path, { force: true });
  } catch {}
}

/** FNV-1a, 32 bits, as 8 hex digits: a file name for a key; two keys sharing one only take turns at the file. */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return (hash >>> 0).toString(16).padStart(8, '0');
}
