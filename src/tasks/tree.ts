import { copyFile, link, mkdir, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ioError } from '../errors/index.js';
import { VERIFIED_MTIME } from '../cache/blobs.js';
import { mapPool } from '../cache/pool.js';
import { renderTemplate } from '../templates.js';
import { checkFreeSpace } from '../fs/space.js';
import { layoutBytes, treeSignature, type LayoutEntry } from './layout.js';
import type { ContentStore } from '../cache/store.js';
import type { StoreContent } from '../plugins/media/types.js';
import type { StagedContent } from './results.js';

/**
 * Lays out the media tree in media.staging from the content store. Files are
 * hard links to the verified blobs (no copy, no extra space); across file
 * systems they are copied.
 */
export interface TreeSpec {
  treeDir: string;
  workDir: string;
  label: string;
  autorun: boolean;
  /** Small files written as text (e.g. the set manifest of a volume). */
  extraFiles?: Array<[string, string]>;
}

/** Where the files come from and the time the tree's folders and text files carry. */
export interface TreeSource {
  content: StagedContent;
  sourceDateEpoch: number;
}

export async function layOutTree(source: TreeSource, spec: TreeSpec, files: readonly LayoutEntry[]): Promise<number> {
  await rm(spec.treeDir, { recursive: true, force: true });
  await rm(spec.workDir, { recursive: true, force: true });
  await mkdir(spec.treeDir, { recursive: true });
  await mkdir(spec.workDir, { recursive: true });
  const folders = [...new Set(files.map((f) => dirname(join(spec.treeDir, f.target))))].sort();
  for (const folder of folders) await mkdir(folder, { recursive: true });
  let copied = false;
  // One blob at several paths is one inode in the tree whether the store is on this file system (hard
  // links) or not (one copy, then links to it): xorriso stores a shared inode's data once, so the ISO's
  // bytes must not depend on where staging is.
  const first = new Map<string, LayoutEntry>();
  const repeats: LayoutEntry[] = [];
  for (const file of files) {
    if (first.has(file.sha256)) repeats.push(file);
    else first.set(file.sha256, file);
  }
  // Thousands of small files cost syscalls, not bandwidth: overlap them.
  await mapPool([...first.values()], 16, async (file) => {
    const blob = await source.content.blob(file);
    copied = (await linkOrCopy(blob, join(spec.treeDir, file.target), copied ? undefined : file)) || copied;
  });
  await mapPool(repeats, 16, async (file) => {
    const original = first.get(file.sha256)?.target ?? file.target;
    await linkOrCopy(join(spec.treeDir, original), join(spec.treeDir, file.target));
  });
  await writeTextFiles(spec, source.sourceDateEpoch);
  await normalizeTimes(spec.treeDir, source.sourceDateEpoch);
  return files.reduce((sum, f) => sum + f.size, 0);
}

/**
 * For media types that pack straight from the store (MediaType.packsFromStore):
 * every blob is made sure of, but the tree holds only the files capmedia writes.
 */
export async function layOutGenerated(source: TreeSource, spec: TreeSpec, files: readonly LayoutEntry[]): Promise<number> {
  await rm(spec.treeDir, { recursive: true, force: true });
  await rm(spec.workDir, { recursive: true, force: true });
  await mkdir(spec.treeDir, { recursive: true });
  await mkdir(spec.workDir, { recursive: true });
  // A `clean` may have removed blobs since the stage step: the content's sources fetch them again.
  const unique = new Map(files.map((file) => [file.sha256, file]));
  // Thousands of blobs, nearly always all in place: one loop of stats, and promises only for the rest.
  const unsure = [...unique.values()].filter((file) => !source.content.inPlace(file));
  await mapPool(unsure, 16, (file) => source.content.blob(file));
  await writeTextFiles(spec, source.sourceDateEpoch);
  await normalizeTimes(spec.treeDir, source.sourceDateEpoch);
  return layoutBytes(files);
}

/** What a media type that packs from the store reads: every file and where its blob is. */
export function storeContent(store: ContentStore, files: readonly LayoutEntry[]): StoreContent {
  return { files, blobPath: (sha256) => store.path(sha256) };
}

/**
 * Planning a set lays out the same volume several times; when its files did
 * not change only the small text files (the set manifest) are written again.
 */
export async function refreshTree(
  source: TreeSource,
  spec: TreeSpec,
  files: readonly LayoutEntry[],
  previous: string | undefined,
  layOut: typeof layOutTree = layOutTree,
): Promise<string> {
  const signature = treeSignature(files, spec.label, spec.autorun);
  if (signature === previous) {
    await writeTextFiles(spec, source.sourceDateEpoch);
    await normalizeTimes(spec.treeDir, source.sourceDateEpoch);
    await rm(spec.workDir, { recursive: true, force: true });
    await mkdir(spec.workDir, { recursive: true });
  } else {
    await layOut(source, spec, files);
  }
  return signature;
}

/** Returns true when it had to copy (the store is on another file system). */
async function linkOrCopy(source: string, target: string, firstCopy?: LayoutEntry): Promise<boolean> {
  try {
    await link(source, target);
    return false;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'EMLINK') throw ioError('lay out', target, error);
  }
  if (firstCopy) await checkFreeSpace(dirname(target), firstCopy.size, 'media.staging');
  try {
    await copyFile(source, target);
    await utimes(target, VERIFIED_MTIME, VERIFIED_MTIME);
  } catch (error) {
    throw ioError('copy into staging', target, error);
  }
  return true;
}

/** R12, R13: the label files depend on the label only, so they are written here and not staged. */
async function writeTextFiles(spec: TreeSpec, epoch: number): Promise<void> {
  const label = spec.label;
  const files: Array<[string, string]> = [
    ['MediaLabel.txt', await renderTemplate('MediaLabel.txt', { label })],
    ...(spec.extraFiles ?? []),
  ];
  if (spec.autorun) files.push(['autorun.inf', await renderTemplate('autorun.inf', { label })]);
  for (const [path, text] of files) {
    const target = join(spec.treeDir, path);
    try {
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, text);
      await utimes(target, epoch, epoch);
    } catch (error) {
      throw ioError('write', target, error);
    }
  }
}

/**
 * Directories get SOURCE_DATE_EPOCH; linked blobs keep the store's fixed
 * time (changing it would touch the shared inode).
 */
async function normalizeTimes(dir: string, epoch: number): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await normalizeTimes(path, epoch);
  }
  await utimes(dir, epoch, epoch);
}
