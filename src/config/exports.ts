import { fail } from '../errors/index.js';

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
    throw fail('configNotObject', {
      filepath,
      source: typeof value === 'function' ? 'config function returned' : 'default export is',
      what,
    });
  }
  return config;
}

function defaultExport(namespace: Record<string, unknown>, filepath: string): unknown {
  if ('default' in namespace) return namespace.default;
  // CommonJS: module.exports is the config.
  if (/\.c[jt]s$/.test(filepath)) return namespace;
  const names = Object.keys(namespace);
  throw fail('configNoDefaultExport', { filepath, names });
}

async function callConfigFunction(fn: () => unknown, filepath: string): Promise<unknown> {
  let verb = 'threw';
  try {
    const result = fn();
    verb = 'rejected';
    return await result;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw fail(
      'configFunctionFailed',
      { filepath, verb, reason },
      { cause: error, detail: error instanceof Error ? error.stack : undefined },
    );
  }
}
