/** The library: what a config file and a program embedding capmedia use. */
export { defineConfig } from './config/define.js';
export type { CapmediaConfig, MediaConfig, DistributionPointConfig, Arch } from './config/schema.js';
export { configJsonSchema } from './config/schema.js';
export { loadConfig, validateConfig } from './config/load.js';
export type { NormalizedConfig, NormalizedMedia } from './config/normalize.js';
export { build, type BuildRequest, type BuildResult } from './build.js';
export { CapmediaError, exitCodeFor, type ErrorCode } from './errors.js';
export { parseMediaSize, SIZE_PRESETS } from './config/size.js';
