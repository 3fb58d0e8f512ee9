import { fail } from '../errors/index.js';
import type { DistributionPointConfig } from '../config/schema.js';
import type { CapmediaPlugin } from './api.js';
import { builtinPlugin } from './builtins.js';
import type { BootPlatform } from './boot/types.js';
import type { DistributionPoint, DistributionPointScheme } from './dp/types.js';
import type { MediaType } from './media/types.js';
import { validatePlugin } from './validate.js';

/** The media types, boot platforms and distribution point schemes one config can use: the built-ins plus its plugins. */
export interface PluginRegistry {
  readonly mediaTypes: readonly MediaType[];
  readonly bootPlatforms: readonly BootPlatform[];
  readonly schemes: readonly DistributionPointScheme[];
  mediaType(name: string): MediaType;
  bootPlatform(name: string): BootPlatform;
  openDistributionPoint(config: DistributionPointConfig): DistributionPoint;
}

/** Two contributions under one name would make the config ambiguous: the later one is refused, naming both plugins. */
function collect<T>(
  plugins: readonly CapmediaPlugin[],
  pick: (p: CapmediaPlugin) => readonly T[] | undefined,
  keys: (item: T) => string[],
  what: string,
): T[] {
  const owners = new Map<string, string>();
  const items: T[] = [];
  for (const plugin of plugins) {
    for (const item of pick(plugin) ?? []) {
      for (const key of keys(item)) {
        const owner = owners.get(key);
        if (owner !== undefined) {
          throw fail('pluginNameTaken', {
            name: JSON.stringify(plugin.name),
            what,
            key: JSON.stringify(key),
            owner: JSON.stringify(owner),
          });
        }
        owners.set(key, plugin.name);
      }
      items.push(item);
    }
  }
  return items;
}

export function createRegistry(plugins: readonly CapmediaPlugin[] = []): PluginRegistry {
  const all = [builtinPlugin, ...plugins];
  for (const plugin of all) validatePlugin(plugin);
  const mediaTypes = collect(
    all,
    (p) => p.mediaTypes,
    (m) => [m.name],
    'media type',
  );
  const bootPlatforms = collect(
    all,
    (p) => p.bootPlatforms,
    (b) => [b.name],
    'boot platform',
  );
  const schemes = collect(
    all,
    (p) => p.distributionPointSchemes,
    (s) => [...s.protocols],
    'distribution point URL scheme',
  );
  return {
    mediaTypes,
    bootPlatforms,
    schemes,
    mediaType(name) {
      const found = mediaTypes.find((m) => m.name === name);
      if (!found) {
        throw fail('mediaTypeUnknown', { name: JSON.stringify(name), mediaTypes: mediaTypes.map((m) => m.name).join(', ') });
      }
      return found;
    },
    bootPlatform(name) {
      const found = bootPlatforms.find((p) => p.name === name);
      if (!found) {
        throw fail('bootPlatformUnknown', { name: JSON.stringify(name), bootPlatforms: bootPlatforms.map((p) => p.name).join(', ') });
      }
      return found;
    },
    openDistributionPoint(config) {
      const protocol = new URL(config.url).protocol;
      const scheme = schemes.find((s) => s.protocols.includes(protocol));
      if (!scheme) {
        throw fail('dpSchemeUnknown', { name: config.name, protocol, schemes: schemes.flatMap((s) => s.protocols).join(', ') });
      }
      return scheme.open(config);
    },
  };
}

/** The built-ins alone: for commands that work without a config (distribute, verify). */
export const builtinRegistry = createRegistry();

export const openDistributionPoint = (config: DistributionPointConfig): DistributionPoint => builtinRegistry.openDistributionPoint(config);
