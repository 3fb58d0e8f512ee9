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
  configFileMissing: {
    code: 'CONFIG_NOT_FOUND',
    title: 'The config file does not exist',
    message: (a: { file: string }) => `The config file ${a.file} does not exist.`,
    hint: 'Check the --config path, or run `capmedia init` to write a starter capmedia.config.ts.',
  },
  configLoadFailed: {
    code: 'CONFIG_LOAD_FAILED',
    title: 'The config file could not be loaded',
    message: (a: { where: string; summary: string }) => `The config file ${a.where} could not be loaded: ${a.summary}`,
    hint: 'Fix the error above (syntax, or an import that cannot be found); the file must export the config as its default export.',
  },
  configFileEmpty: {
    code: 'CONFIG_INVALID',
    title: 'The config file is empty',
    message: (a: { file: string }) => `The config file ${a.file} is empty.`,
    hint: 'Write the config into it (run `capmedia init` elsewhere for a starter), or pass another --config FILE.',
  },
  configNotFound: {
    code: 'CONFIG_NOT_FOUND',
    title: 'No config file',
    message: (a: { cwd: string }) => `No capmedia config found in ${a.cwd} or its parent folders.`,
    hint: 'Create capmedia.config.ts (run `capmedia init`), or pass --config FILE.',
  },
  configInvalid: {
    code: 'CONFIG_INVALID',
    title: 'The config is not valid',
    message: (a: { configFile?: string; issues: readonly string[] }) =>
      `The config${a.configFile ? ` in ${a.configFile}` : ''} has ${a.issues.length} problem${a.issues.length === 1 ? '' : 's'}:\n${a.issues.map((issue) => `  ${issue}`).join('\n')}`,
    hint: 'Fix the keys named above; nothing was built or written.',
  },
});
