import { lstat, readdir, realpath, stat } from 'node:fs/promises';
import { printable } from '../printable.js';
import { join, relative, sep } from 'node:path';
import { fail } from '../errors/index.js';

export interface FolderFile {
  /** "/" separated path relative to the folder. */
  path: string;
  absolute: string;
  size: number;
}

/**
 * Lists the regular files of a folder, sorted, following symlinks only while
 * they stay inside it: a link that escapes could publish /etc/shadow.
 */
export async function listFolder(root: string, skip: (path: string) => boolean = () => false): Promise<FolderFile[]> {
  const realRoot = await realpath(root);
  const files: FolderFile[] = [];
  async function visit(dir: string): Promise<void> {
    const entries = (await readdir(dir)).sort();
    for (const name of entries) {
      const absolute = join(dir, name);
      const path = relative(root, absolute).split(sep).join('/');
      if (skip(path)) continue;
      const info = await lstat(absolute);
      const target = info.isSymbolicLink() ? await insideTarget(realRoot, absolute, path) : info;
      if (target.isDirectory()) await visit(absolute);
      else if (target.isFile()) files.push({ path, absolute, size: target.size });
      else throw fail('specialFileInPackage', { absolute: printable(absolute) });
    }
  }
  await visit(root);
  return files;
}

async function insideTarget(realRoot: string, absolute: string, path: string) {
  let real: string;
  try {
    real = await realpath(absolute);
  } catch {
    throw fail('danglingSymlink', { path: printable(path) });
  }
  if (real !== realRoot && !real.startsWith(realRoot + sep)) {
    throw fail('symlinkOutside', { path: printable(path), real: printable(real) });
  }
  return stat(absolute);
}
