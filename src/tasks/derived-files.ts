import { rm } from 'node:fs/promises';
import { sha256File } from '../library/hash.js';
import { cacheKey, type Preimage } from '../cache/key.js';
import type { DerivedFiles, DerivedRequest } from '../plugins/media/types.js';
import type { BuildServices } from './services.js';

interface DerivedRecord {
  sha256: string;
  size: number;
}

/** What the cache reaches: the content store, the action cache and the recorded tool versions. */
export type DerivedServices = Pick<BuildServices, 'store' | 'actions' | 'toolIds'>;

/** One cache per build, so every estimate and volume of a set shares what the first one made or checked. */
const perBuild = new WeakMap<DerivedServices, DerivedFiles>();

/**
 * Derived files (the ISO's ESP) in the content store, found through an action
 * record keyed on the request's pre-image and the recorded versions of the
 * tools that make them. A cached copy is hashed before it is used: a damaged
 * or missing one is made again and replaces it.
 */
export function derivedFiles(services: DerivedServices): DerivedFiles {
  let cache = perBuild.get(services);
  if (!cache) {
    const made = new Map<string, Promise<string>>();
    cache = {
      async obtain(request) {
        const preimage = await fullPreimage(services, request);
        const key = cacheKey(preimage);
        let file = made.get(key);
        if (!file) {
          file = cachedOrMade(services, key, preimage, request);
          made.set(key, file);
          // A failed attempt is not remembered: the next volume tries again (and fails with its own error).
          file.catch(() => made.delete(key));
        }
        return file;
      },
    };
    perBuild.set(services, cache);
  }
  return cache;
}

async function fullPreimage(services: DerivedServices, request: DerivedRequest): Promise<Preimage> {
  const versions = await services.toolIds();
  const tools = Object.fromEntries(request.tools.map((tool) => [tool, versions[tool] ?? 'unknown']));
  return { step: `derived:${request.kind}`, ...request.preimage, tools };
}

async function cachedOrMade(services: DerivedServices, key: string, preimage: Preimage, request: DerivedRequest): Promise<string> {
  const record = await services.actions.get<DerivedRecord>(key);
  if (record && (await isIntact(services.store.path(record.outputs.sha256), record.outputs))) {
    return services.store.path(record.outputs.sha256);
  }
  // A scratch file an earlier attempt left would make mkfs.fat refuse; once stored it is not needed.
  await rm(request.scratch, { force: true });
  await request.make(request.scratch);
  const { sha256, size } = await sha256File(request.scratch);
  await services.store.ingestLocalFile(sha256, size, request.scratch, `the derived ${request.kind} image`);
  await rm(request.scratch, { force: true });
  await services.actions.put<DerivedRecord>(`derived:${request.kind}`, key, preimage, { sha256, size });
  return services.store.path(sha256);
}

async function isIntact(path: string, expected: DerivedRecord): Promise<boolean> {
  const actual = await sha256File(path).catch(() => undefined);
  return actual?.sha256 === expected.sha256 && actual.size === expected.size;
}
