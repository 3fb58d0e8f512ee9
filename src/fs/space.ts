import { statfs } from 'node:fs/promises';
import { fail, ioError } from '../errors/index.js';
import { makeDirs } from './make-dirs.js';

/**
 * R11: staging and images can need much space; say so before filling the
 * disk. `key` is the setting that moves the folder elsewhere.
 */
export async function checkFreeSpace(path: string, needed: number, key: string): Promise<void> {
  try {
    await makeDirs(path);
  } catch (error) {
    throw ioError('create the folder', path, error);
  }
  const info = await statfs(path);
  const free = info.bavail * info.bsize;
  if (free < needed) throw fail('notEnoughSpace', { path, free, needed, key });
}
