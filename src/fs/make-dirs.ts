import { mkdir, stat } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * `mkdir -p` one level at a time. Node 20's `mkdir(…, { recursive: true })`
 * never returns (spinning a CPU) on some paths such as /proc/x; this returns
 * the file system's own answer instead.
 */
export async function makeDirs(path: string): Promise<void> {
  try {
    await mkdir(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return assertFolder(path, error);
    if (code !== 'ENOENT' || dirname(path) === path) throw error;
    await makeDirs(dirname(path));
    await mkdir(path).catch((again: NodeJS.ErrnoException) => {
      if (again.code !== 'EEXIST') throw again;
      return assertFolder(path, again);
    });
  }
}

async function assertFolder(path: string, error: unknown): Promise<void> {
  if (!(await stat(path)).isDirectory()) throw Object.assign(error as Error, { code: 'ENOTDIR' });
}
