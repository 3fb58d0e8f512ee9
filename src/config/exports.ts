import { CapmediaError } from '../errors/index.js';

/** What a JS/TS config module exported, kept whole so a missing default export can be named. */
export class ModuleExports {
  constructor(readonly namespace: Record<string, unknown>) {}
}

/**
 * The config a file exports: its default export, or what the default export's
 * function returns (defineConfig(() => ({...})) computes values, e.g. from the environment).
 */
export async function configExport(loaded: unknown, filepath: string): Promise<unknown> {
  const value = loaded instanceof ModuleExports ? defaultExport(loaded.namespace, filepath) : loaded;
  const config = typeof value === 'function' ? await callConfigFunction(value as () => unknown, filepath) : value;
  if (config === null || typeof config !== 'object' || Array.isArray(config)) {
    const what =
      config === null ? 'null' : Array.isArray(config) ? 'an array' : typeof config === 'undefined' ? 'undefined' : `a ${typeof config}`;
    throw loadFailed(
      filepath,
      `its ${typeof value === 'function' ? 'config function returned' : 'default export is'} ${what}, not a config object`,
      'Export the config object: export default defineConfig({ distributionPoints: [...], bootImage: {...}, ... }).',
    );
  }
  return config;
}

function defaultExport(namespace: Record<string, unknown>, filepath: string): unknown {
  if ('default' in namespace) return namespace.default;
  // CommonJS: module.exports is the config.
  if (/\.c[jt]s$/.test(filepath)) return namespace;
  const names = Object.keys(namespace);
  throw loadFailed(
    filepath,
    `it has no default export${names.length ? ` (it exports ${names.map((n) => JSON.stringify(n)).join(', ')})` : ''}`,
    `Export the config as the default export: export default defineConfig({...})${names.length ? `, e.g. export default ${names[0]};` : '.'}`,
  );
}

async function callConfigFunction(fn: () => unknown, filepath: string): Promise<unknown> {
  let verb = 'threw';
  try {
    const result = fn();
    verb = 'rejected';
    return await result;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw loadFailed(filepath, `the config function ${verb}: ${reason}`, 'Fix the config function so it returns the config object.', error);
  }
}

function loadFailed(filepath: string, reason: string, hint: string, cause?: unknown): CapmediaError {
  return new CapmediaError('CONFIG_LOAD_FAILED', `The config file ${filepath} could not be loaded: ${reason}.`, {
    hint,
    cause,
    detail: cause instanceof Error ? cause.stack : undefined,
  });
}
