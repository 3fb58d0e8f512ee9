import { mkdir, readdir, rm, statfs, utimes, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { CapmediaError, ioError } from '../errors.js';
import { formatBytes } from '../config/size.js';
import { manifestBytes, type PackageFile, type PackageManifest } from '../library/manifest.js';
import { safeRelativePath } from '../library/safe-path.js';
import { fetchIntoStore } from '../cache/fetch.js';
import { mediaType } from '../plugins/registry.js';
import { renderTemplate } from '../templates.js';
import { TASK_SEQUENCE_JSON, TASK_SEQUENCE_VARS, taskSequenceDocument, taskSequenceVars } from '../tasksequence/build.js';
import type { BuildContext, MediaJob } from './context.js';

/** A file to place in the media tree, and where its bytes come from. */
interface Placement {
  file: PackageFile;
  packageId: string;
  target: string;
}

/** Boot image files go to the media root; other packages to SMS/PKG/<id>/, as Configuration Manager media carry them. */
export function placements(ctx: BuildContext): Placement[] {
  const { bootImage, content } = ctx.resolved!;
  const place = (pkg: PackageManifest, prefix: string) =>
    pkg.files.map((file) => ({ file, packageId: pkg.id, target: safeRelativePath(`${prefix}${file.path}`, `package ${pkg.id}`) }));
  return [...place(bootImage, ''), ...content.flatMap((pkg) => place(pkg, `SMS/PKG/${pkg.id}/`))];
}

export async function stageMedia(ctx: BuildContext, job: MediaJob): Promise<void> {
  const files = placements(ctx);
  // Before anything is written: a media type may refuse content (FAT32's 4 GiB limit, R7).
  mediaType(job.media.type).checkContent?.(files.map((p) => ({ path: p.target, size: p.file.size })), job.media);
  const bytes = ctx.resolved ? [ctx.resolved.bootImage, ...ctx.resolved.content].reduce((s, p) => s + manifestBytes(p), 0) : 0;
  await rm(job.stagingDir, { recursive: true, force: true });
  await mkdir(job.treeDir, { recursive: true });
  await mkdir(job.workDir, { recursive: true });
  await checkFreeSpace(job.stagingDir, bytes, 'media.staging');
  for (const placement of files) await placeFile(ctx, placement, join(job.treeDir, placement.target));
  await writeMediaFiles(ctx, job);
  await normalizeTimes(job.treeDir, ctx.sourceDateEpoch);
  job.stagedBytes = bytes;
}

/** Fetch into the cache once, then copy out verified; a blob damaged in the cache is fetched again. */
async function placeFile(ctx: BuildContext, placement: Placement, destination: string): Promise<void> {
  const { sha256, size } = placement.file;
  for (let attempt = 0; attempt < 2; attempt++) {
    await fetchIntoStore(ctx.store, placement.file, placement.packageId, ctx.sources?.get(placement.packageId) ?? []);
    try {
      await ctx.store.copyVerified(sha256, size, destination);
      return;
    } catch (error) {
      if (!(error instanceof CapmediaError && error.code === 'HASH_MISMATCH') || attempt === 1) throw error;
    }
  }
}

async function writeMediaFiles(ctx: BuildContext, job: MediaJob): Promise<void> {
  const label = job.media.label;
  const doc = taskSequenceDocument(ctx.config);
  const files: Array<[string, string]> = [
    ['MediaLabel.txt', await renderTemplate('MediaLabel.txt', { label })],
    [TASK_SEQUENCE_JSON, `${JSON.stringify(doc, null, 2)}\n`],
    [TASK_SEQUENCE_VARS, taskSequenceVars(doc)],
  ];
  if (job.media.autorun) files.push(['autorun.inf', await renderTemplate('autorun.inf', { label })]);
  for (const [path, text] of files) {
    const target = join(job.treeDir, path);
    try {
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, text);
    } catch (error) {
      throw ioError('write', target, error);
    }
  }
}

/** Reproducible media need the same time on every file, whatever the disk said. */
async function normalizeTimes(dir: string, epoch: number): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await normalizeTimes(path, epoch);
    await utimes(path, epoch, epoch);
  }
  await utimes(dir, epoch, epoch);
}

/** R11: staging can need much space; say so before filling the disk. */
export async function checkFreeSpace(path: string, needed: number, key: string): Promise<void> {
  const info = await statfs(path);
  const free = info.bavail * info.bsize;
  if (free < needed) {
    throw new CapmediaError('NO_SPACE', `${path} has ${formatBytes(free)} free, but the build needs ${formatBytes(needed)} there.`, {
      hint: `Free some space, or set ${key} to a folder on a larger file system.`,
    });
  }
}
