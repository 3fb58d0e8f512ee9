import type { Loader, Loaders } from 'cosmiconfig';
import { createRequire } from 'node:module';
import { stripVTControlCharacters } from 'node:util';
import { dirname, join, resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { CapmediaError, fail } from '../errors/index.js';
import { createConfigSchema } from './schema.js';
import { createRegistry } from '../plugins/registry.js';
import type { CapmediaPlugin } from '../plugins/api.js';
import { describeSchemaIssues, type ConfigIssue } from './issues.js';
import { defaultCacheDir, normalizeConfig, type NormalizedConfig } from './normalize.js';
import { checkRules } from './rules.js';
import { configExport, ModuleExports } from './exports.js';
import { loadLibrary } from './library.js';
import { loadCompiled, recordCompiled } from './compiled.js';
import { importModule } from '../code-cache/import-module.js';

const MODULE_NAME = 'capmedia';

/**
 * cosmiconfig's own .ts loader needs TypeScript's JS API (gone in TypeScript 7)
 * and cannot follow a config's imports of sibling .ts files; jiti can.
 */
const loadWithJiti: Loader = async (filepath) => {
  const jitiVersion = (requireCommonJs('jiti/package.json') as { version: string }).version;
  const compiled = await loadCompiled(filepath, jitiVersion, loadLibrary);
  if (compiled) return new ModuleExports(compiled as Record<string, unknown>);
  // Loaded only for TypeScript configs: jiti brings its own transpiler. Through require, as the same code loaded as
  // ESM is first scanned whole (190 kB) for its export names: ~35 ms of CPU on every run.
  const { createJiti } = requireCommonJs('jiti') as typeof import('jiti');
  const self = await loadLibrary();
  // interopDefault would merge exports into a proxy, which throws on `export default null`. jiti's own cache of
  // transpiled files goes beside capmedia's compiled configs, not into the machine's temp folder.
  const jiti = createJiti(import.meta.url, {
    moduleCache: false,
    interopDefault: false,
    fsCache: join(defaultCacheDir(), 'jiti'),
    virtualModules: { capmedia: self },
  });
  const namespace = await jiti.import<Record<string, unknown>>(filepath);
  await recordCompiled(jiti, filepath, jitiVersion).catch(() => undefined);
  return new ModuleExports(namespace);
};

/** cosmiconfig's own JS loader turns a missing default export into "no config found"; say what is wrong instead. */
const loadJs: Loader = async (filepath) => new ModuleExports((await importModule(pathToFileURL(filepath).href)) as Record<string, unknown>);

/**
 * A valid JSON config is read by JSON.parse; only a broken one goes through
 * cosmiconfig's loader, whose parse-json (and Babel's code frame) say where it
 * breaks, and cost ~15 ms to load on every run. Notepad may start the file
 * with a byte order mark, which JSON.parse refuses.
 */
function jsonLoader(explain: Loader): Loader {
  return (filepath, content) => {
    const text = content.replace(/^\uFEFF/, '');
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return explain(filepath, text);
    }
  };
}

/** CommonJS packages load through require: Node's ESM wrapper would scan their source for export names first. */
const requireCommonJs = createRequire(import.meta.url);

function explorer(loading: { file?: string } = {}) {
  const { cosmiconfig, defaultLoaders } = requireCommonJs('cosmiconfig') as typeof import('cosmiconfig');
  return cosmiconfig(MODULE_NAME, {
    searchStrategy: 'project',
    searchPlaces: [
      'package.json',
      `.${MODULE_NAME}rc`,
      `.${MODULE_NAME}rc.json`,
      `.${MODULE_NAME}rc.yaml`,
      `.${MODULE_NAME}rc.yml`,
      `.${MODULE_NAME}rc.js`,
      `.${MODULE_NAME}rc.mjs`,
      `.${MODULE_NAME}rc.cjs`,
      `.${MODULE_NAME}rc.ts`,
      `${MODULE_NAME}.config.ts`,
      `${MODULE_NAME}.config.mts`,
      `${MODULE_NAME}.config.js`,
      `${MODULE_NAME}.config.mjs`,
      `${MODULE_NAME}.config.cjs`,
      `${MODULE_NAME}.config.json`,
      `${MODULE_NAME}.config.yaml`,
    ],
    loaders: recordingLoaders(loading, {
      ...defaultLoaders,
      '.json': jsonLoader(defaultLoaders['.json']),
      '.ts': loadWithJiti,
      '.mts': loadWithJiti,
      '.cts': loadWithJiti,
      '.js': loadJs,
      '.mjs': loadJs,
      '.cjs': loadJs,
    }),
  });
}

/** Notes which file is being loaded, so a failure found by searching still names its file. */
function recordingLoaders(loading: { file?: string }, loaders: Loaders): Loaders {
  return Object.fromEntries(
    Object.entries(loaders).map(([ext, load]) => [
      ext,
      (filepath: string, content: string) => {
        loading.file = filepath;
        return load(filepath, content);
      },
    ]),
  );
}

export interface LoadedConfig {
  config: NormalizedConfig;
  filepath: string;
}

/** Finds (or reads the given) config file, validates it and resolves its paths. */
export async function loadConfig(options: { cwd: string; configFile?: string }): Promise<LoadedConfig> {
  const found = await findConfig(options);
  const config = validateConfig(found.config, dirname(found.filepath), found.filepath);
  return { config, filepath: found.filepath };
}

async function findConfig(options: { cwd: string; configFile?: string }): Promise<{ config: unknown; filepath: string }> {
  const file = options.configFile ? resolve(options.cwd, options.configFile) : undefined;
  if (file && !existsSync(file)) {
    throw fail('configFileMissing', { file });
  }
  let result;
  const loading: { file?: string } = {};
  try {
    result = file ? await explorer(loading).load(file) : await explorer(loading).search(options.cwd);
  } catch (error) {
    // Babel's code frame (a broken JSON config) colours its text wherever CI is set: a log shows the escapes.
    const reason = stripVTControlCharacters(error instanceof Error ? error.message : String(error));
    const summary = reason
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean)
      .slice(0, 4)
      .join(' ');
    if (error instanceof CapmediaError) throw error;
    throw fail('configLoadFailed', { where: file ?? loading.file ?? 'in ' + options.cwd, summary }, { cause: error, detail: reason });
  }
  if (file && (!result || result.isEmpty)) {
    throw fail('configFileEmpty', { file });
  }
  if (!result || result.isEmpty) {
    throw fail('configNotFound', { cwd: options.cwd });
  }
  return { config: await configExport(result.config, result.filepath), filepath: result.filepath };
}

/** Schema parse → normalize → semantic rules. Throws CONFIG_INVALID listing every problem. */
export function validateConfig(input: unknown, baseDir: string, configFile?: string): NormalizedConfig {
  // The plugins decide which media types and URL schemes the rest of the config may use.
  const registry = createRegistry(pluginsOf(input));
  const schema = createConfigSchema({ mediaTypes: registry.mediaTypes, protocols: registry.schemes.flatMap((s) => s.protocols) });
  // Parsed once per run: zod's compiled fast path would cost more to generate than it saves.
  const parsed = schema.safeParse(input, { jitless: true });
  if (!parsed.success) throw invalidConfig(describeSchemaIssues(parsed.error.issues, input, schema), configFile);
  const config = normalizeConfig(parsed.data, baseDir, configFile, registry);
  const issues = checkRules(config);
  if (issues.length) throw invalidConfig(issues, configFile);
  return config;
}

/** The plugin objects of a config; anything else under plugins is left for the schema to report. */
function pluginsOf(input: unknown): CapmediaPlugin[] {
  const plugins = input && typeof input === 'object' ? (input as { plugins?: unknown }).plugins : undefined;
  if (!Array.isArray(plugins)) return [];
  return plugins.filter(
    (p): p is CapmediaPlugin => typeof p === 'object' && p !== null && typeof (p as { name?: unknown }).name === 'string',
  );
}

function invalidConfig(issues: ConfigIssue[], configFile?: string): CapmediaError {
  return fail('configInvalid', { configFile, issues: issues.map((issue) => `${issue.path}: ${issue.message}`) });
}
