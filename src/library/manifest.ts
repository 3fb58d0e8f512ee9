import { z } from 'zod';
import { printable } from '../printable.js';
import { fail } from '../errors/index.js';
import { ARCHES } from '../config/schema.js';
import { describeSchemaIssues } from '../config/issues.js';
import { safeRelativePath } from './safe-path.js';
import { plainFiles } from './plain-files.js';

/** The package manifest of the content library (SPEC §5): packages/<ID>.json. */

const fileSchema = z.strictObject({
  path: z.string().min(1),
  size: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'a lowercase hex sha256'),
});

export const bootImageInfoSchema = z.object({
  /** A boot platform's name (linux, winpe, or a plugin's): the build's registry says whether it knows it. */
  platform: z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/, 'a boot platform name such as "linux" or "winpe"'),
  arch: z.enum(ARCHES),
  drivers: z.record(z.string(), z.array(z.string())).default({}),
  kernelVersion: z.string().optional(),
  /** linux: the UEFI chain (Secure Boot or not) and its Debian package versions. */
  uefi: z.object({ secureBoot: z.boolean(), packages: z.record(z.string(), z.string()) }).optional(),
});

export const manifestSchema = z.object({
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/),
  version: z.string().default('1'),
  name: z.string().default(''),
  kind: z.enum(['bootimage', 'content']),
  bootImage: bootImageInfoSchema.optional(),
  files: z.array(fileSchema),
});

export type PackageFile = z.output<typeof fileSchema>;
export type BootImageInfo = z.output<typeof bootImageInfoSchema>;
export type PackageManifest = z.output<typeof manifestSchema>;

/** Validates a manifest read from a distribution point; every file path must be safe. */
export function parseManifest(input: unknown, where: string): PackageManifest {
  const manifest = plainManifest(input) ?? schemaManifest(input, where);
  if (manifest.kind === 'bootimage' && !manifest.bootImage) {
    throw fail('packageManifestNoBootImage', { where });
  }
  const seen = new Set<string>();
  for (const file of manifest.files) {
    file.path = safeRelativePath(file.path, where);
    const key = file.path.toLowerCase();
    if (seen.has(key)) {
      throw fail('packageManifestDuplicatePath', { where, path: printable(file.path) });
    }
    seen.add(key);
  }
  return manifest;
}

const headSchema = manifestSchema.omit({ files: true });

/**
 * A manifest is read before every build, and its file list can run to
 * thousands of entries: the common manifest has its files checked by one
 * loop (plain-files.ts) and only the rest by the schema, which yields the
 * same value. Undefined when anything is unusual; the whole schema then
 * decides, and explains a refusal.
 */
function plainManifest(input: unknown): PackageManifest | undefined {
  if (typeof input !== 'object' || input === null) return undefined;
  const files = plainFiles((input as { files?: unknown }).files);
  if (!files) return undefined;
  // Two manifests a build: zod's compiled fast path would cost more to generate than it saves.
  const head = headSchema.safeParse(input, { jitless: true });
  return head.success ? { ...head.data, files } : undefined;
}

function schemaManifest(input: unknown, where: string): PackageManifest {
  const parsed = manifestSchema.safeParse(input);
  if (!parsed.success) {
    const lines = describeSchemaIssues(parsed.error.issues, input).map((i) => `  ${i.path}: ${i.message}`);
    throw fail('packageManifestInvalid', { where, lines: lines.join('\n') });
  }
  return parsed.data;
}

export function manifestBytes(manifest: PackageManifest): number {
  return manifest.files.reduce((sum, file) => sum + file.size, 0);
}
