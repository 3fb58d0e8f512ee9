import { rm } from 'node:fs/promises';
import { sha256File } from '../library/hash.js';
import { cacheKey, type Preimage } from '../cache/key.js';
import type { DerivedCache, DerivedKey } from '../plugins/media/types.js';
import type { BuildServices } from './services.js';

interface FileRecord {
  sha256: string;
  size: number;
}

/** What the cache reaches: the content store, the action cache and the recorded tool versions. */
export type DerivedServices = Pick<BuildServices, 'store' | 'actions' | 'toolIds'>;

/** One cache per build, so every estimate and volume of a set shares what the first one made or checked. */
const perBuild = new WeakMap<DerivedServices, DerivedCache>();

/**
 * Derived results found through action records keyed on the request's
 * pre-image and the recorded versions of the tools that make them. Files (the
 * ISO's ESP) live in the content store and are hashed before use: a damaged
 * or missing copy is made again and replaces it. Values (a volume's exact
 * size) live in the record itself.
 */
export function derivedCache(services: DerivedServices): DerivedCache {
  let cache = perBuild.get(services);
  if (cache) return cache;
  const once = memo();
  cache = {
    async file(request) {
      const preimage = await fullPreimage(services, request);
      const key = cacheKey(preimage);
      return once(key, () => cachedOrMade(services, key, preimage, request));
    },
    async value<T>(request: DerivedKey & { compute: () => Promise<T> }): Promise<T> {
      const preimage = await fullPreimage(services, request);
      const key = cacheKey(preimage);
      return once(key, async () => {
        const record = await services.actions.get<{ value: T }>(key);
        if (record) return record.outputs.value;
        const value = await request.compute();
        await services.actions.put(`derived:${request.kind}`, key, preimage, { value });
        return value;
      });
    },
  };
  perBuild.set(services, cache);
  return cache;
}

/** The first request for a key does the work; the build's later ones share it. A failure is not remembered. */
function memo() {
  const started = new Map<string, Promise<unknown>>();
  return <T>(key: string, work: () => Promise<T>): Promise<T> => {
    let result = started.get(key) as Promise<T> | undefined;
    if (!result) {
      result = work();
      started.set(key, result);
      result.catch(() => started.delete(key));
    }
    return result;
  };
}

async function fullPreimage(services: DerivedServices, request: DerivedKey): Promise<Preimage> {
  const versions = await services.toolIds();
  const tools = Object.fromEntries(request.tools.map((tool) => [tool, versions[tool] ?? 'unknown']));
  return { step: `derived:${request.kind}`, ...request.preimage, tools };
}

async function cachedOrMade(
  services: DerivedServices,
  key: string,
  preimage: Preimage,
  request: DerivedKey & { make: (output: string) => Promise<void>; scratch: string },
): Promise<string> {
  const record = await services.actions.get<FileRecord>(key);
  if (record && (await isIntact(services.store.path(record.outputs.sha256), record.outputs))) {
    return services.store.path(record.outputs.sha256);
  }
  // A scratch file an earlier attempt left would make mkfs.fat refuse; once stored it is not needed.
  await rm(request.scratch, { force: true });
  await request.make(request.scratch);
  const { sha256, size } = await sha256File(request.scratch);
  await services.store.ingestLocalFile(sha256, size, request.scratch, `the derived ${request.kind} image`);
  await rm(request.scratch, { force: true });
  await services.actions.put<FileRecord>(`derived:${request.kind}`, key, preimage, { sha256, size });
  return services.store.path(sha256);
}

async function isIntact(path: string, expected: FileRecord): Promise<boolean> {
  const actual = await sha256File(path).catch(() => undefined);
  return actual?.sha256 === expected.sha256 && actual.size === expected.size;
}
