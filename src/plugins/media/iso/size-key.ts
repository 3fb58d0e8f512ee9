import { sha256Hex } from '../../../library/hash.js';
import { isoArguments, type IsoOptions } from '../../../tools/xorriso.js';
import { listTree } from '../usb/tree.js';

/** Bumped when what the size of an ISO depends on changes. */
const SIZE_FORMAT = 1;

/**
 * What the exact size of an ISO depends on: xorriso's arguments and, for each
 * graft, its target and its source. A blob's or the cached ESP's path names its
 * bytes (the content store names files by their sha256); the files capmedia
 * writes in the tree (MediaLabel.txt, a set's manifest) are named by path, so
 * their sizes join. A set's volume measured again with the same files is
 * then a lookup, not a run of xorriso.
 */
export async function sizePreimage(options: IsoOptions & { graftList: string }, treeDir: string): Promise<Record<string, unknown>> {
  const args = isoArguments({ ...options, output: '-', sources: { pathList: '-' } });
  const generated = (await listTree(treeDir)).map((file) => [file.path, file.size]);
  return { format: SIZE_FORMAT, args, grafts: sha256Hex(options.graftList), generated };
}
