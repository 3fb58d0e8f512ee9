import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import { CapmediaError, ioError, fail } from '../errors/index.js';
import { stableJson } from '../cache/key.js';
import { sha256Hex } from '../library/hash.js';
import { manifestBytes, type PackageManifest } from '../library/manifest.js';
import { ARCHES } from '../config/schema.js';
import { writeFileAtomically } from '../fs/atomic.js';

/**
 * capmedia.lock: which version of each package the config's media carry,
 * pinned by the sha256 of its manifest. Sorted keys, two-space JSON, LF: the
 * same content is the same bytes, so a pull request shows only real changes.
 * No distribution point names or URLs: the lock says what, not where.
 */

export const LOCK_FILE = 'capmedia.lock';
export const LOCKFILE_VERSION = 1;

const entrySchema = z.strictObject({
  version: z.string(),
  manifestSha256: z.string().regex(/^[0-9a-f]{64}$/, 'a lowercase hex sha256'),
  kind: z.enum(['bootimage', 'content']),
  platform: z.string().optional(),
  arch: z.enum(ARCHES).optional(),
  size: z.number().int().nonnegative(),
});

const lockSchema = z.strictObject({
  lockfileVersion: z.literal(LOCKFILE_VERSION),
  packages: z.record(z.string(), entrySchema),
});

export type LockEntry = z.output<typeof entrySchema>;
export type LockFile = z.output<typeof lockSchema>;

/**
 * The lock beside the config file, one per config so two configs in a folder
 * keep their own pins: capmedia.config.*, .capmediarc* and package.json (the
 * names found without --config) use capmedia.lock; any other config file
 * uses its name without `.config.<ext>` or `.<ext>` (site-b.config.ts →
 * site-b.lock, prod.yaml → prod.lock).
 */
export function lockPathFor(config: { configFile?: string; baseDir: string }): string {
  if (!config.configFile) return join(config.baseDir, LOCK_FILE);
  return join(dirname(config.configFile), lockNameFor(basename(config.configFile)));
}

function lockNameFor(configName: string): string {
  if (configName === 'package.json' || /^capmedia\.config\.[^.]+$/.test(configName) || /^\.capmediarc(\.[^.]+)?$/.test(configName))
    return LOCK_FILE;
  const stem = configName.replace(/\.config\.[^.]+$/, '').replace(/\.[^.]+$/, '');
  const name = `${stem}.lock`;
  // A config named like its lock (site.lock) or only an extension (.yaml) must not be its own lock.
  return stem && name !== configName ? name : `${configName}.lock`;
}

export function lockEntry(manifest: PackageManifest, manifestSha256: string): LockEntry {
  return {
    version: manifest.version,
    manifestSha256,
    kind: manifest.kind,
    platform: manifest.bootImage?.platform,
    arch: manifest.bootImage?.arch,
    size: manifestBytes(manifest),
  };
}

export function serializeLock(lock: LockFile): string {
  return `${JSON.stringify(JSON.parse(stableJson(lock)), null, 2)}\n`;
}

/** Identifies the lock's content (not its formatting): what the media say they were built from. */
export function lockDigest(lock: LockFile): string {
  return sha256Hex(serializeLock(lock));
}

/** The lock, or undefined when there is none; LOCK_INVALID when it cannot be read as one. */
export async function readLock(path: string): Promise<LockFile | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw ioError('read', path, error);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw invalid(path, `it is not valid JSON (${(error as Error).message})`);
  }
  // Parsed once per run: zod's compiled fast path would cost more to generate than it saves.
  const parsed = lockSchema.safeParse(json, { jitless: true });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue.path.length ? issue.path.join('.') : '(top level)';
    const version = (json as { lockfileVersion?: unknown } | null)?.lockfileVersion;
    if (version !== undefined && version !== LOCKFILE_VERSION) {
      throw invalid(path, `its lockfileVersion is ${JSON.stringify(version)}; this capmedia reads version ${LOCKFILE_VERSION}`);
    }
    throw invalid(path, `${where}: ${issue.message}`);
  }
  return parsed.data;
}

/** Temp-then-rename: a crash leaves the old lock or the new one, never half of one. */
export async function writeLock(path: string, lock: LockFile): Promise<void> {
  await writeFileAtomically(path, serializeLock(lock));
}

function invalid(path: string, why: string): CapmediaError {
  return fail('lockInvalid', { path, why });
}
