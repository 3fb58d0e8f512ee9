import { mkdir, utimes, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ioError } from '../../../errors/index.js';
import { listFolder, type FolderFile } from '../../../library/walk.js';
import { MEDIA_PATHS } from '../../../media-paths.js';

/**
 * The list of files capmedia put on a medium. With format: false a later build
 * replaces exactly these and deletes those it no longer carries; every other
 * file on the stick belongs to the user and is left alone.
 */
export const OWN_FILES_LIST = MEDIA_PATHS.ownFilesList;

export async function listTree(treeDir: string): Promise<FolderFile[]> {
  try {
    return await listFolder(treeDir);
  } catch (error) {
    throw ioError('read the staged media tree', treeDir, error);
  }
}

/** Folders holding the files, parents first. */
export function foldersOf(files: ReadonlyArray<{ path: string }>): string[] {
  const folders = new Set<string>();
  for (const file of files) {
    const parts = file.path.split('/').slice(0, -1);
    parts.forEach((_, i) => folders.add(parts.slice(0, i + 1).join('/')));
  }
  return [...folders].sort();
}

/** Writes the own-files list into the staged tree (itself included) and returns the tree's files. */
export async function addOwnFilesList(treeDir: string, epoch: number): Promise<FolderFile[]> {
  const path = join(treeDir, OWN_FILES_LIST);
  const files = (await listTree(treeDir)).filter((f) => f.path !== OWN_FILES_LIST);
  const lines = [...files.map((f) => f.path), OWN_FILES_LIST].sort();
  try {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, `${lines.join('\r\n')}\r\n`);
    await utimes(path, epoch, epoch);
  } catch (error) {
    throw ioError('write', path, error);
  }
  return listTree(treeDir);
}

export function parseOwnFilesList(text: string | undefined): string[] {
  return (text ?? '')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('/') && !line.split('/').includes('..'));
}
