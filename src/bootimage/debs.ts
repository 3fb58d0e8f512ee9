import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { CapmediaError, ioError, fail } from '../errors/index.js';
import type { BuildContext } from './types.js';
import { moveIntoPlace, withScratchFolder } from '../fs/atomic.js';

/**
 * Debian packages fetched with `apt-get download` into <cacheDir>/debs and
 * unpacked with `dpkg-deb -x`: nothing is installed on the build machine.
 */

const APT_LISTS_DIR = '/var/lib/apt/lists';

export interface DebPackage {
  name: string;
  version: string;
  arch: string;
  sha256: string;
}

export interface FetchedDeb extends DebPackage {
  path: string;
}

/** The versioned kernel package the meta package depends on, e.g. linux-image-6.1.0-56-amd64. */
export async function resolveKernelPackage(ctx: BuildContext, metaPackage = 'linux-image-amd64'): Promise<string> {
  const [record] = await aptShow(ctx, [metaPackage]);
  const match = record.match(/^Depends:.*?\b(linux-image-\d\S*?)(?=[\s,(]|$)/m);
  if (!match) {
    throw fail('kernelPackageUnknown', { metaPackage }, { detail: record });
  }
  return match[1];
}

/** apt-cache and apt-get download need the package lists; fetch them once if we may. */
export async function ensureAptLists(ctx: BuildContext): Promise<void> {
  const entries = await readdir(APT_LISTS_DIR).catch(() => [] as string[]);
  if (entries.some((name) => /_Packages(\.\w+)?$/.test(name))) return;
  if (process.getuid?.() !== 0) {
    throw fail('aptListsEmpty', {});
  }
  ctx.progress('apt package lists are empty: running apt-get update');
  await ctx.exec('apt-get', ['update', '-qq'], { cancelSignal: ctx.signal });
}

/**
 * The candidate versions apt would download, with the SHA256 of the archive
 * index. One apt-cache run for all: each run re-reads the package lists (~0.6 s).
 */
export async function describePackages(ctx: BuildContext, names: readonly string[]): Promise<DebPackage[]> {
  const records = await aptShow(ctx, names);
  return names.map((name) => {
    const record = records.find((text) => fieldOf(text, 'Package') === name);
    if (record === undefined) throw unknownPackages([name]);
    const pkg = { name, version: fieldOf(record, 'Version'), arch: fieldOf(record, 'Architecture'), sha256: fieldOf(record, 'SHA256') };
    if (!pkg.version || !pkg.sha256) {
      throw fail('debNotDownloadable', { name }, { detail: record });
    }
    return pkg;
  });
}

export async function aptShow(ctx: BuildContext, names: readonly string[]): Promise<string[]> {
  try {
    const { stdout } = await ctx.exec('apt-cache', ['show', '--no-all-versions', ...names], { cancelSignal: ctx.signal });
    return stdout.split(/\n\s*\n/).filter((record) => record.trim());
  } catch (error) {
    if (error instanceof CapmediaError && error.code !== 'TOOL_FAILED') throw error;
    throw unknownPackages(names, error);
  }
}

function unknownPackages(names: readonly string[], cause?: unknown): CapmediaError {
  return fail('debUnknown', { names: names.join(', ') }, { cause });
}

export function fieldOf(record: string, key: string): string {
  return record.match(new RegExp(`^${key}: (.+)$`, 'm'))?.[1]?.trim() ?? '';
}

/** apt-get download's file name: the epoch colon is URL-encoded. */
export function debFileName(pkg: DebPackage): string {
  return `${pkg.name}_${pkg.version.replaceAll(':', '%3a')}_${pkg.arch}.deb`;
}

/** Returns the cached .deb when its hash matches the archive's, else downloads it. */
export async function fetchDeb(ctx: BuildContext, pkg: DebPackage): Promise<FetchedDeb> {
  const debsDir = join(ctx.cacheDir, 'debs');
  const path = join(debsDir, debFileName(pkg));
  if ((await sha256File(path)) === pkg.sha256) {
    ctx.progress(`reusing cached ${debFileName(pkg)}`);
    return { ...pkg, path };
  }
  ctx.progress(`downloading ${pkg.name} ${pkg.version}`);
  await downloadInto(ctx, pkg, debsDir);
  if ((await sha256File(path)) !== pkg.sha256) {
    throw fail('debHashMismatch', { pkg: debFileName(pkg) });
  }
  return { ...pkg, path };
}

/** Downloads into a private temp folder and renames, so a partial file is never taken as cached. */
async function downloadInto(ctx: BuildContext, pkg: DebPackage, debsDir: string): Promise<void> {
  await mkdir(debsDir, { recursive: true }).catch((error) => {
    throw ioError('create the package cache folder', debsDir, error);
  });
  const final = join(debsDir, debFileName(pkg));
  await withScratchFolder(final, async (tempDir) => {
    // As root apt drops privileges to _apt, which cannot write to our folder.
    const sandbox = process.getuid?.() === 0 ? ['-o', 'APT::Sandbox::User=root'] : [];
    await ctx.exec('apt-get', [...sandbox, 'download', `${pkg.name}=${pkg.version}`], { cwd: tempDir, cancelSignal: ctx.signal });
    await moveIntoPlace(join(tempDir, debFileName(pkg)), final);
  });
}

export async function unpackDeb(ctx: BuildContext, deb: FetchedDeb, destination: string): Promise<void> {
  await mkdir(destination, { recursive: true });
  await ctx.exec('dpkg-deb', ['-x', deb.path, destination], { cancelSignal: ctx.signal });
}

/** sha256 of a file, or undefined when it does not exist. */
async function sha256File(path: string): Promise<string | undefined> {
  if (!(await stat(path).catch(() => undefined))) return undefined;
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
