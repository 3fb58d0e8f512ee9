import type { BootPlatform } from './boot/types.js';
import type { DistributionPointScheme } from './dp/types.js';
import type { MediaType } from './media/types.js';

/**
 * A plugin is a plain object made by a factory (rollup's and vite's model):
 * it contributes media types, boot image platforms and distribution point
 * schemes. The built-in ones are registered through this same shape.
 */
export interface CapmediaPlugin {
  /** Shown in errors (e.g. when two plugins register the same media type). */
  name: string;
  mediaTypes?: readonly MediaType[];
  bootPlatforms?: readonly BootPlatform[];
  distributionPointSchemes?: readonly DistributionPointScheme[];
}

/** Identity function: gives a plugin (or a plugin factory) its types. */
export function definePlugin<P extends CapmediaPlugin>(plugin: P): P;
export function definePlugin<A extends unknown[], P extends CapmediaPlugin>(factory: (...args: A) => P): (...args: A) => P;
export function definePlugin<T>(plugin: T): T {
  return plugin;
}
