import { lstat, readdir } from 'node:fs/promises';
import { ioError, fail } from '../errors/index.js';
import { replaceFolder } from './atomic.js';

/**
 * Folder outputs are replaced whole, so a folder may only be replaced when
 * nothing of the user's can be in it: it is absent, empty, or capmedia wrote
 * it (it holds the marker file the writer puts in every folder it makes).
 */
export interface OutputFolder {
  /** The folder to replace. */
  path: string;
  /** A file every folder this writer makes holds at its root, e.g. capmedia-package.json; none: only an absent or empty folder is replaced. */
  marker?: string;
  /** What names the folder in messages, e.g. 'media.dir of media "pxe"' or '--out'. */
  key: string;
}

/** OUTPUT_CONFLICT (exit 2) unless the folder is absent, empty or capmedia's own; run before any work. */
export async function checkReplaceableFolder(folder: OutputFolder): Promise<void> {
  const info = await lstat(folder.path).catch(() => undefined);
  if (!info) return;
  if (!info.isDirectory()) {
    throw fail('outputFolderNotFolder', { key: folder.key, path: folder.path });
  }
  let names: string[];
  try {
    names = await readdir(folder.path);
  } catch (error) {
    throw ioError('read the folder', folder.path, error);
  }
  if (names.length === 0 || (folder.marker && names.includes(folder.marker))) return;
  const shown = names.slice(0, 3).join(', ') + (names.length > 3 ? ', …' : '');
  throw fail('outputFolderForeign', {
    key: folder.key,
    path: folder.path,
    shown,
    missingMarker: folder.marker ? `; no ${folder.marker}` : '',
  });
}

/**
 * Puts the finished folder `temp` in place of `folder.path`, checking the
 * rule again (the folder may have changed during the build). The previous
 * folder is moved aside only once the new one is complete, and comes back if
 * the new one cannot be moved in.
 */
export async function replaceOutputFolder(temp: string, folder: OutputFolder): Promise<void> {
  await checkReplaceableFolder(folder);
  await replaceFolder(temp, folder.path);
}
