import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CapmediaError } from '../errors.js';
import { sha256File } from './hash.js';
import { bootImageInfoSchema, parseManifest, type PackageManifest } from './manifest.js';
import { listFolder } from './walk.js';
import type { DistributionPoint } from '../plugins/dp/types.js';
import { z } from 'zod';
import { describeSchemaIssues } from '../config/issues.js';

/** The metadata file a package folder may carry; flags override it. */
export const PACKAGE_METADATA_FILE = 'capmedia-package.json';

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
  uploaded: number;
  reused: number;
  bytes: number;
}

export async function readPackageMetadata(folder: string): Promise<PackageMetadata> {
  const path = join(folder, PACKAGE_METADATA_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return {};
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new CapmediaError('PACKAGE_INVALID', `${path} is not valid JSON: ${(error as Error).message}`);
  }
  const parsed = metadataSchema.safeParse(json);
  if (!parsed.success) {
    const lines = describeSchemaIssues(parsed.error.issues, json).map((i) => `  ${i.path}: ${i.message}`);
    throw new CapmediaError('PACKAGE_INVALID', `${path} is not valid:\n${lines.join('\n')}`);
  }
  return parsed.data;
}

/** Publishes a folder as one package: blobs first, the manifest last (never a half-visible package). */
export async function publishFolder(folder: string, overrides: PackageMetadata, dp: DistributionPoint): Promise<PublishResult> {
  const metadata = { ...(await readPackageMetadata(folder)), ...definedOnly(overrides) };
  if (!metadata.id) {
    throw new CapmediaError('USAGE', `No package ID for ${folder}.`, { hint: `Pass --package ID, or set "id" in ${PACKAGE_METADATA_FILE}.` });
  }
  const files = await listFolder(folder, (path) => path === PACKAGE_METADATA_FILE);
  const entries = [];
  for (const file of files) entries.push({ path: file.path, absolute: file.absolute, ...(await sha256File(file.absolute)) });
  const manifest = parseManifest(
    {
      id: metadata.id,
      name: metadata.name ?? metadata.id,
      version: metadata.version ?? '1',
      kind: metadata.kind ?? (metadata.bootImage ? 'bootimage' : 'content'),
      bootImage: metadata.bootImage,
      files: entries.map(({ path, size, sha256 }) => ({ path, size, sha256 })),
    },
    `the package built from ${folder}`,
  );
  let uploaded = 0;
  for (const entry of entries) {
    if (await dp.hasBlob(entry.sha256, entry.size)) continue;
    await dp.putBlob(entry.sha256, entry.size, () => createReadStream(entry.absolute));
    uploaded++;
  }
  await dp.putManifest(manifest);
  return { manifest, uploaded, reused: entries.length - uploaded, bytes: entries.reduce((s, e) => s + e.size, 0) };
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
