import { writeFile } from 'node:fs/promises';
import { fail, ioError } from '../../../errors/index.js';
import { listTree } from '../usb/tree.js';
import type { StoreContent } from '../types.js';
import type { Graft, MediaSources } from './boot-records.js';

/**
 * Every media file and where its bytes are: the blobs of the content store,
 * then the files of the staged tree (what capmedia wrote: MediaLabel.txt,
 * autorun.inf, a set's manifest), which win over a blob at the same path as
 * they did when the tree held links to every blob. A blob at several paths is
 * one source inode: xorriso writes its data once and points every path at it.
 */
export async function mediaSources(content: StoreContent | undefined, treeDir: string): Promise<Map<string, string>> {
  const sources = new Map<string, string>();
  if (content) for (const file of content.files) sources.set(file.target, content.blobPath(file.sha256));
  for (const file of await listTree(treeDir)) sources.set(file.path, file.absolute);
  return sources;
}

/**
 * xorriso's -path-list with -graft-points: one `target=source` per line, "=" and
 * "\" escaped by "\". Sorted, so the list (not the ISO, which xorriso orders
 * itself) is the same whatever order the layout came in.
 */
export async function writeGraftList(path: string, sources: MediaSources, extra: readonly Graft[]): Promise<string> {
  const grafts = [...sources.entries(), ...extra].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const text = grafts.map(([target, source]) => `${escapePathspec(target)}=${escapePathspec(source)}\n`).join('');
  await writeFile(path, text).catch((error) => {
    throw ioError('write', path, error);
  });
  return text;
}

function escapePathspec(path: string): string {
  if (/[\n\r]/.test(path)) throw fail('graftPathUnsupported', { path });
  return path.replace(/[\\=]/g, (c) => `\\${c}`);
}
