import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { fail } from '../errors/index.js';
import { describeSchemaIssues } from '../config/issues.js';
import { mapPool } from '../cache/pool.js';
import { DOWNLOAD_RETRIES, backoffMs, isTransient, sleep, withRetries } from '../plugins/dp/retry.js';
import type { DistributionPoint } from '../plugins/dp/types.js';
import { sha256File } from './hash.js';
import { bootImageInfoSchema, parseManifest, type PackageFile, type PackageManifest } from './manifest.js';
import { scanTarball, uploadFromTarball } from './tar-package.js';
import { listFolder } from './walk.js';
import { publishManifest } from './versions.js';

/** The metadata file a package folder (or tarball) may carry; flags override it. */
export const PACKAGE_METADATA_FILE = 'capmedia-package.json';

/** Blob uploads (and existence checks) at a time. */
const UPLOAD_PARALLELISM = 4;
/** A tar entry can be read once per pass: transient upload failures get this many passes. */
const TAR_PASSES = 3;

const metadataSchema = z.strictObject({
  id: z.string().optional(),
  name: z.string().optional(),
  version: z.string().optional(),
  kind: z.enum(['bootimage', 'content']).optional(),
  bootImage: bootImageInfoSchema.optional(),
});

export type PackageMetadata = z.input<typeof metadataSchema>;

export interface PublishResult {
  manifest: PackageManifest;
  /** The sha256 of the manifest's bytes: the version's identity in capmedia.lock. */
  manifestSha256: string;
  uploaded: number;
  reused: number;
  bytes: number;
}

/** Uploads the blobs named (by sha256); the source knows how to read each. */
type Uploader = (missing: readonly PackageFile[], dp: DistributionPoint) => Promise<void>;

export async function readPackageMetadata(folder: string): Promise<PackageMetadata> {
  const path = join(folder, PACKAGE_METADATA_FILE);
  const text = await readFile(path, 'utf8').catch(() => undefined);
  return text === undefined ? {} : parsePackageMetadata(text, path);
}

export function parsePackageMetadata(text: string, where: string): PackageMetadata {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw fail('publishMetadataNotJson', { where, message: (error as Error).message });
  }
  const parsed = metadataSchema.safeParse(json);
  if (!parsed.success) {
    const lines = describeSchemaIssues(parsed.error.issues, json).map((i) => `  ${i.path}: ${i.message}`);
    throw fail('publishMetadataInvalid', { where, lines: lines.join('\n') });
  }
  return parsed.data;
}

/** A folder, a .tar or a .tar.gz, published as one package. */
export async function publishSource(source: string, overrides: PackageMetadata, dp: DistributionPoint): Promise<PublishResult> {
  const info = await stat(source).catch(() => undefined);
  if (info?.isDirectory()) return publishFolder(source, overrides, dp);
  if (info?.isFile()) return publishTarball(source, overrides, dp);
  throw fail('publishSourceUnsupported', { source });
}

/** Publishes a folder as one package: blobs first, the manifest last (never a half-visible package). */
export async function publishFolder(folder: string, overrides: PackageMetadata, dp: DistributionPoint): Promise<PublishResult> {
  const metadata = requireId({ ...(await readPackageMetadata(folder)), ...definedOnly(overrides) }, folder);
  const files = await listFolder(folder, (path) => path === PACKAGE_METADATA_FILE);
  const entries = [];
  for (const file of files) entries.push({ path: file.path, absolute: file.absolute, ...(await sha256File(file.absolute)) });
  const absolute = new Map(entries.map((e) => [e.sha256, e.absolute]));
  const upload: Uploader = (missing, target) =>
    mapPool(missing, UPLOAD_PARALLELISM, (file) =>
      // A file can be read again, so each attempt gets a fresh stream.
      withRetries(
        () => target.putBlob(file.sha256, file.size, () => createReadStream(absolute.get(file.sha256)!, { highWaterMark: 1 << 20 })),
        DOWNLOAD_RETRIES,
      ),
    ).then(() => undefined);
  return publish(folder, metadata, entries, dp, upload);
}

/** Publishes a tarball as it streams: one pass to check and hash, one to upload what the DP lacks. */
export async function publishTarball(tarball: string, overrides: PackageMetadata, dp: DistributionPoint): Promise<PublishResult> {
  const scanned = await scanTarball(tarball, PACKAGE_METADATA_FILE);
  const carried =
    scanned.metadataText === undefined ? {} : parsePackageMetadata(scanned.metadataText, `${PACKAGE_METADATA_FILE} in ${tarball}`);
  const metadata = requireId({ ...carried, ...definedOnly(overrides) }, tarball);
  const upload: Uploader = async (missing, target) => {
    let wanted = new Set(missing.map((f) => f.sha256));
    for (let pass = 1; wanted.size > 0; pass++) {
      const failed = await uploadFromTarball(
        scanned,
        wanted,
        (sha256, size, body) => target.putBlob(sha256, size, () => body),
        (error) => isTransient(error),
      );
      if (failed.size === 0) return;
      if (pass >= TAR_PASSES) throw failed.values().next().value;
      await sleep(backoffMs(DOWNLOAD_RETRIES, pass));
      wanted = new Set(failed.keys());
    }
  };
  return publish(tarball, metadata, scanned.files, dp, upload);
}

function requireId(metadata: PackageMetadata, where: string): PackageMetadata & { id: string } {
  if (!metadata.id) {
    throw fail('packageIdMissing', { where, metadataFile: PACKAGE_METADATA_FILE });
  }
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(metadata.id)) {
    throw fail('packageIdInvalid', { id: JSON.stringify(metadata.id) });
  }
  return metadata as PackageMetadata & { id: string };
}

async function publish(
  where: string,
  metadata: PackageMetadata & { id: string },
  files: readonly PackageFile[],
  dp: DistributionPoint,
  upload: Uploader,
): Promise<PublishResult> {
  const manifest = parseManifest(
    {
      id: metadata.id,
      name: metadata.name ?? metadata.id,
      version: metadata.version ?? '1',
      kind: metadata.kind ?? (metadata.bootImage ? 'bootimage' : 'content'),
      bootImage: metadata.bootImage,
      files: files.map(({ path, size, sha256 }) => ({ path, size, sha256 })),
    },
    `the package built from ${where}`,
  );
  const unique = [...new Map(manifest.files.map((f) => [f.sha256, f])).values()];
  const stored = await mapPool(unique, UPLOAD_PARALLELISM * 2, (file) => dp.hasBlob(file.sha256, file.size));
  const missing = unique.filter((_, i) => !stored[i]);
  await upload(missing, dp);
  const manifestSha256 = await publishManifest(dp, manifest);
  return {
    manifest,
    manifestSha256,
    uploaded: missing.length,
    reused: manifest.files.length - missing.length,
    bytes: manifest.files.reduce((s, f) => s + f.size, 0),
  };
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
