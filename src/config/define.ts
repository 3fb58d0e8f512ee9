import type { CapmediaConfig } from './schema.js';

/** Identity function: gives a config file types and editor completion. */
export function defineConfig(config: CapmediaConfig): CapmediaConfig;
export function defineConfig(config: () => CapmediaConfig | Promise<CapmediaConfig>): () => CapmediaConfig | Promise<CapmediaConfig>;
export function defineConfig<T>(config: T): T {
  return config;
}
