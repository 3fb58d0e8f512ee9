/** The library: what a config file and a program embedding capmedia use. */
export { defineConfig } from './config/define.js';
export type { CapmediaConfig, MediaConfig, DistributionPointConfig, Arch } from './config/schema.js';
export { configJsonSchema } from './config/schema.js';
export { loadConfig, validateConfig } from './config/load.js';
export type { NormalizedConfig, NormalizedMedia } from './config/normalize.js';
export { build, type BuildRequest, type BuildResult } from './build.js';
export { CapmediaError, exitCodeFor, type ErrorCode } from './errors/index.js';
export { parseMediaSize, SIZE_PRESETS } from './config/size.js';
// Plugins: the API the built-in media types, boot platforms and distribution point schemes use too.
export { definePlugin, type CapmediaPlugin } from './plugins/api.js';
export type {
  MediaType,
  MediaOutput,
  MediaOptionIssue,
  MediaReport,
  PackInput,
  PackResult,
  PublishInput,
  StoreContent,
  TargetCheckInput,
} from './plugins/media/types.js';
export type { BootPlatform, ElToritoEntry, EspImage, IsoBoot, IsoBootInput, KernelBoot, SystemArea } from './plugins/boot/types.js';
export type { DistributionPoint, DistributionPointScheme, PackageCheck } from './plugins/dp/types.js';
export type { Exec } from './tools/exec.js';
/** The zod a plugin's media options are written with: the same instance the config schema is assembled with. */
export { z } from 'zod';
/** Folder media: replace an output folder only when it is absent, empty or capmedia's own (its marker file). */
export { checkReplaceableFolder, replaceOutputFolder, type OutputFolder } from './fs/output-folder.js';
