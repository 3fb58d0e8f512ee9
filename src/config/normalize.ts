import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { tmpdir } from 'node:os';
import { parseMediaSize } from './size.js';
import type { Arch, DistributionPointConfig, ParsedConfig } from './schema.js';
import type { NormalizedMedia } from './media.js';
import type { PluginRegistry } from '../plugins/registry.js';

export type { NormalizedMedia } from './media.js';

export interface NormalizedConfig extends Omit<ParsedConfig, 'media' | 'distributionPoints' | 'target' | 'plugins'> {
  /** Folder of the config file: relative paths resolve against it. */
  baseDir: string;
  configFile?: string;
  distributionPoints: DistributionPointConfig[];
  target: { arch: Arch; drivers: string[] };
  media: NormalizedMedia[];
  /** Whether the config wrote `media` as a list (for error paths). */
  mediaIsList: boolean;
  cacheDir: string;
  /** The built-in media types, boot platforms and distribution point schemes plus the config's plugins. */
  registry: PluginRegistry;
}

export function resolvePath(baseDir: string, path: string): string {
  return isAbsolute(path) ? path : resolve(baseDir, path);
}

/** file: URLs may be relative (`file:./content`); make them absolute file URLs. */
export function resolveDpUrl(baseDir: string, url: string): string {
  if (!url.startsWith('file:')) return url;
  if (url.startsWith('file://')) return pathToFileURL(fileURLToPath(url)).href;
  return pathToFileURL(resolvePath(baseDir, decodeURIComponent(url.slice('file:'.length)))).href;
}

export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.CAPMEDIA_CACHE_DIR) return resolve(env.CAPMEDIA_CACHE_DIR);
  const xdg = env.XDG_CACHE_HOME || resolve(env.HOME ?? tmpdir(), '.cache');
  return resolve(xdg, 'capmedia');
}

export function normalizeConfig(
  parsed: ParsedConfig,
  baseDir: string,
  configFile: string | undefined,
  registry: PluginRegistry,
): NormalizedConfig {
  const mediaList = Array.isArray(parsed.media) ? parsed.media : [parsed.media];
  const { plugins: _plugins, ...rest } = parsed;
  return {
    ...rest,
    registry,
    baseDir,
    configFile,
    distributionPoints: parsed.distributionPoints.map((dp) => ({
      ...dp,
      url: resolveDpUrl(baseDir, dp.url),
      ca: dp.ca ? resolvePath(baseDir, dp.ca) : undefined,
      auth: dp.auth?.passwordFile ? { ...dp.auth, passwordFile: resolvePath(baseDir, dp.auth.passwordFile) } : dp.auth,
    })),
    target: parsed.target,
    mediaIsList: Array.isArray(parsed.media),
    media: mediaList.map((media, index) => {
      const { size, name, ...rest } = media;
      const outputSpec = (media as Record<string, unknown>)[registry.mediaType(media.type).output.key];
      return {
        ...rest,
        name: name ?? (mediaList.length === 1 ? 'default' : `media${index + 1}`),
        sizeSpec: size,
        capacity: parseMediaSize(size) ?? Number.POSITIVE_INFINITY,
        output: typeof outputSpec === 'string' && outputSpec ? resolvePath(baseDir, outputSpec) : '',
        staging: media.staging ? resolvePath(baseDir, media.staging) : tmpdir(),
      };
    }),
    cacheDir: parsed.cache?.dir ? resolvePath(baseDir, parsed.cache.dir) : defaultCacheDir(),
  };
}
