import { z } from 'zod';
import { fail } from '../errors/index.js';
import type { DistributionPoint } from '../plugins/dp/types.js';
import { sha256Hex } from './hash.js';
import { parseManifest, type PackageManifest } from './manifest.js';

/**
 * The content library keeps every published version (SPEC §5):
 *
 *   packages/<ID>.json                  the latest manifest
 *   packages/<ID>/<manifest-sha256>.json every manifest ever published, immutable, named by the hash of its bytes
 *   packages/<ID>/index.json            the versions index: version, manifest sha256, date
 *
 * A manifest's identity is the sha256 of its bytes as stored, so a pinned
 * version can be fetched from any distribution point and checked.
 */

export const latestPath = (id: string): string => `packages/${id}.json`;
export const pinnedPath = (id: string, sha256: string): string => `packages/${id}/${sha256}.json`;
export const indexPath = (id: string): string => `packages/${id}/index.json`;

/** A manifest together with the hash of its bytes. */
export interface VersionedManifest {
  manifest: PackageManifest;
  sha256: string;
}

const indexSchema = z.object({
  id: z.string(),
  versions: z.array(z.object({ version: z.string(), manifestSha256: z.string().regex(/^[0-9a-f]{64}$/), date: z.string() })),
});

export type VersionsIndex = z.output<typeof indexSchema>;

/** The bytes every copy of a manifest is stored as (latest and by hash alike). */
export function manifestDocument(manifest: PackageManifest): Buffer {
  return Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);
}

/** packages/<id>.json and its hash; PACKAGE_NOT_FOUND when the DP does not have it. */
export async function readLatest(dp: DistributionPoint, id: string): Promise<VersionedManifest> {
  const bytes = await dp.readDocument(latestPath(id));
  if (!bytes) {
    throw fail('packageNotOnDp', { id, name: dp.name, path: latestPath(id), displayUrl: dp.displayUrl });
  }
  return { manifest: parseDocument(bytes, id, `${latestPath(id)} on ${dp.name}`), sha256: sha256Hex(bytes) };
}

/**
 * The manifest whose bytes hash to sha256: its immutable copy, or the latest
 * one when that is still the same (libraries published before versions were
 * kept). Undefined when the DP has neither.
 */
export async function readPinned(dp: DistributionPoint, id: string, sha256: string): Promise<VersionedManifest | undefined> {
  const candidates = [pinnedPath(id, sha256), latestPath(id)];
  for (const path of candidates) {
    const bytes = await dp.readDocument(path);
    if (!bytes) continue;
    const actual = sha256Hex(bytes);
    if (actual !== sha256) {
      if (path === latestPath(id)) continue;
      throw fail('libraryCopyDamaged', { path, name: dp.name, actual, id });
    }
    return { manifest: parseDocument(bytes, id, `${path} on ${dp.name}`), sha256 };
  }
  return undefined;
}

/** The versions index; undefined for a package published before versions were kept. */
export async function readIndex(dp: DistributionPoint, id: string): Promise<VersionsIndex | undefined> {
  const bytes = await dp.readDocument(indexPath(id));
  if (!bytes) return undefined;
  const parsed = indexSchema.safeParse(parseJson(bytes, `${indexPath(id)} on ${dp.name}`));
  if (!parsed.success) {
    throw fail('versionsIndexInvalid', { path: indexPath(id), name: dp.name, id });
  }
  return parsed.data;
}

/**
 * Publishes a manifest so every version stays fetchable: the immutable copy
 * first, then the index, then the latest pointer last (a half-published
 * version is never "latest").
 */
export async function publishManifest(dp: DistributionPoint, manifest: PackageManifest, now: Date = new Date()): Promise<string> {
  const bytes = manifestDocument(manifest);
  const sha256 = sha256Hex(bytes);
  await dp.putDocument(pinnedPath(manifest.id, sha256), bytes);
  const index: VersionsIndex = (await readIndex(dp, manifest.id).catch(() => undefined)) ?? { id: manifest.id, versions: [] };
  if (!index.versions.some((v) => v.manifestSha256 === sha256)) {
    index.versions.push({ version: manifest.version, manifestSha256: sha256, date: now.toISOString() });
    await dp.putDocument(indexPath(manifest.id), Buffer.from(`${JSON.stringify(index, null, 2)}\n`));
  }
  await dp.putDocument(latestPath(manifest.id), bytes);
  return sha256;
}

function parseDocument(bytes: Buffer, id: string, where: string): PackageManifest {
  const manifest = parseManifest(parseJson(bytes, where), where);
  if (manifest.id !== id) throw fail('manifestIdMismatch', { where, declared: JSON.stringify(manifest.id), expected: JSON.stringify(id) });
  return manifest;
}

function parseJson(bytes: Buffer, where: string): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    throw fail('packageJsonInvalid', { where });
  }
}
