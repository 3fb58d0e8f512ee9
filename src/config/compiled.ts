import type { Jiti } from 'jiti';
import { mkdir, readFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { runInThisContext } from 'node:vm';
import { importModule } from '../code-cache/import-module.js';
import { fail } from '../errors/index.js';
import { writeJsonAtomically } from '../fs/atomic.js';
import { sha256Hex } from '../library/hash.js';
import { defaultCacheDir } from './normalize.js';

/**
 * A TypeScript config as jiti compiled it, kept so later runs need not load jiti (~15 ms of CPU on every build). An
 * entry is used only while every file it was compiled from has the same bytes (the config and each local file it
 * imports, transitively), and only for configs whose imports are plain: capmedia, Node's built-ins and local .ts files.
 */
interface CompiledEntry {
  format: typeof FORMAT;
  jiti: string;
  config: string;
  files: Record<string, CompiledFile>;
}

interface CompiledFile {
  sha256: string;
  code: string;
  /** specifier → a local file of the entry, or how the import is met. */
  imports: Record<string, string>;
}

const FORMAT = 1;
const CAPMEDIA = 'capmedia';
const BUILTIN = 'node:builtin';
const LOCAL_TS = /\.[cm]?ts$/;
const IMPORT = /\bjitiImport\("([^"\\]+)"\)/g;
/** What the cached code could do that a plain import list does not describe: those configs always go through jiti. */
const UNPLAIN = /\brequire\s*\(|jitiESMResolve|\bimport\s*\(|import\.meta/;

/** Where the compiled form of a config file is kept (beside the content cache, per config path). */
export function entryPath(configFile: string, env: NodeJS.ProcessEnv = process.env): string {
  return join(defaultCacheDir(env), 'configs', `${sha256Hex(configFile).slice(0, 32)}.json`);
}

/** The config module's exports from the cache, or undefined when there is no usable entry (absent, stale, corrupt). */
export async function loadCompiled(configFile: string, jitiVersion: string, library: () => Promise<unknown>): Promise<unknown> {
  const entry = await readEntry(configFile, jitiVersion);
  if (!entry) return undefined;
  const modules = new Map<string, Record<string, unknown>>();
  return evaluate(entry, configFile, library, modules);
}

async function readEntry(configFile: string, jitiVersion: string): Promise<CompiledEntry | undefined> {
  try {
    const entry = JSON.parse(await readFile(entryPath(configFile), 'utf8')) as CompiledEntry;
    if (entry.format !== FORMAT || entry.jiti !== jitiVersion || entry.config !== configFile || !entry.files?.[configFile])
      return undefined;
    for (const [file, compiled] of Object.entries(entry.files)) {
      if (typeof compiled.code !== 'string' || sha256Hex(await readFile(file)) !== compiled.sha256) return undefined;
    }
    return entry;
  } catch {
    return undefined;
  }
}

/** Runs one cached module as jiti would: CommonJS-shaped code whose imports are awaited jitiImport calls. */
async function evaluate(
  entry: CompiledEntry,
  file: string,
  library: () => Promise<unknown>,
  modules: Map<string, Record<string, unknown>>,
): Promise<Record<string, unknown>> {
  const known = modules.get(file);
  if (known) return known;
  const compiled = entry.files[file];
  const module = { exports: {} as Record<string, unknown> };
  modules.set(file, module.exports);
  const jitiImport = async (specifier: string): Promise<unknown> => {
    const target = compiled.imports[specifier];
    if (target === CAPMEDIA) return library();
    if (target === BUILTIN) return importModule(specifier);
    if (target && entry.files[target]) return evaluate(entry, target, library, modules);
    throw fail('unexpected', { reason: `${specifier} is not in the compiled config's cache entry` });
  };
  const wrapped = `(async function (exports, require, module, __filename, __dirname, jitiImport) { ${compiled.code}\n});`;
  const run = runInThisContext(wrapped, { filename: file }) as (...args: unknown[]) => Promise<void>;
  await run(module.exports, undefined, module, file, dirname(file), jitiImport);
  return module.exports;
}

/** After jiti loaded a config: keeps what it compiled, when the config's imports allow it. Never fails the load. */
export async function recordCompiled(jiti: Jiti, configFile: string, jitiVersion: string): Promise<void> {
  const files: Record<string, CompiledFile> = {};
  const queue = [configFile];
  for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
    if (files[file]) continue;
    const compiled = await compileFile(jiti, file);
    if (!compiled) return;
    files[file] = compiled;
    queue.push(...Object.values(compiled.imports).filter((target) => target !== CAPMEDIA && target !== BUILTIN));
  }
  const entry: CompiledEntry = { format: FORMAT, jiti: jitiVersion, config: configFile, files };
  const path = entryPath(configFile);
  await mkdir(dirname(path), { recursive: true })
    .then(() => writeJsonAtomically(path, entry))
    .catch(() => undefined);
}

async function compileFile(jiti: Jiti, file: string): Promise<CompiledFile | undefined> {
  const bytes = await readFile(file);
  const code = jiti.transform({ source: bytes.toString('utf8'), filename: file, ts: true, async: true });
  const found = [...code.matchAll(IMPORT)].map((match) => match[1]);
  if (UNPLAIN.test(code.replace(IMPORT, '')) || found.length !== (code.match(/jitiImport/g) ?? []).length) return undefined;
  const imports: Record<string, string> = {};
  for (const specifier of found) {
    const target = importTarget(jiti, file, specifier);
    if (!target) return undefined;
    imports[specifier] = target;
  }
  return { sha256: sha256Hex(bytes), code, imports };
}

function importTarget(jiti: Jiti, file: string, specifier: string): string | undefined {
  if (specifier === CAPMEDIA) return CAPMEDIA;
  if (specifier.startsWith('node:') || builtinModules.includes(specifier)) return BUILTIN;
  if (!specifier.startsWith('./') && !specifier.startsWith('../')) return undefined;
  const url = jiti.esmResolve(specifier, { parentURL: pathToFileURL(file).href, try: true });
  const target = url?.startsWith('file:') ? fileURLToPath(url) : undefined;
  return target && LOCAL_TS.test(target) && !target.includes('/node_modules/') ? target : undefined;
}
