import { join } from 'node:path';
import { ActionCache } from '../../src/cache/actions.js';
import { ContentStore } from '../../src/cache/store.js';
import type { DerivedServices } from '../../src/tasks/derived-cache.js';

export const TOOLS = { 'mkfs.fat': 'mkfs.fat 4.2 (2021-01-31)', mcopy: 'mcopy (GNU mtools) 4.0.33', xorriso: 'xorriso 1.5.4' };

/** What one build's derived cache reaches, over a cache folder later builds share (a new object: nothing remembered in memory). */
export function buildServices(cacheDir: string, tools: Record<string, string> = TOOLS): DerivedServices {
  return { store: new ContentStore(join(cacheDir, 'cas')), actions: new ActionCache(cacheDir), toolIds: async () => tools };
}
