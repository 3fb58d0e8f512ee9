import { defineErrors } from './entry.js';

const notLoaded = (filepath: string, reason: string): string => `The config file ${filepath} could not be loaded: ${reason}.`;

/** The config file and the names in it (config/). */
export const configErrors = defineErrors({
  configNotObject: {
    code: 'CONFIG_LOAD_FAILED',
    title: 'The config is not an object',
    message: (a: { filepath: string; source: string; what: string }) =>
      notLoaded(a.filepath, `its ${a.source} ${a.what}, not a config object`),
    hint: 'Export the config object: export default defineConfig({ distributionPoints: [...], bootImage: {...}, ... }).',
  },
  configNoDefaultExport: {
    code: 'CONFIG_LOAD_FAILED',
    title: 'The config has no default export',
    message: (a: { filepath: string; names: string[] }) =>
      notLoaded(
        a.filepath,
        `it has no default export${a.names.length ? ` (it exports ${a.names.map((n) => JSON.stringify(n)).join(', ')})` : ''}`,
      ),
    hint: (a: { names: string[] }) =>
      `Export the config as the default export: export default defineConfig({...})${a.names.length ? `, e.g. export default ${a.names[0]};` : '.'}`,
  },
  configFunctionFailed: {
    code: 'CONFIG_LOAD_FAILED',
    title: 'The config function failed',
    message: (a: { filepath: string; verb: string; reason: string }) => notLoaded(a.filepath, `the config function ${a.verb}: ${a.reason}`),
    hint: 'Fix the config function so it returns the config object.',
  },
  mediaNameUnknown: {
    code: 'USAGE',
    title: 'No media of that name',
    message: (a: { unknown: string; media: string }) => `No media named ${a.unknown} in the config.`,
    hint: (a: { media: string }) => `Media in this config: ${a.media}.`,
  },
});
