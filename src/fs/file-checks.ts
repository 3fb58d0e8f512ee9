import { accessSync, constants, statfsSync, statSync } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { mapPool } from '../cache/pool.js';

/** What a check found at one path: there with the size expected, another size, absent, or not readable by us. */
export type FileState = { kind: 'ok' } | { kind: 'size'; size: number } | { kind: 'missing' } | { kind: 'denied' };

/**
 * File systems that answer a stat from memory or one local read (statfs f_type).
 * There, 4,000 synchronous stat + access calls take ~25 ms; the same calls
 * through the thread pool ~150 ms of wall time and more CPU than the disk reads
 * (each is a promise, a thread hand-off and a callback, on two cores). A network
 * file system waits a round trip per call, so those stay asynchronous and many at once.
 */
const LOCAL_FILE_SYSTEMS = new Set([
  0xef53, // ext2/3/4
  0x58465342, // xfs
  0x9123683e, // btrfs
  0x2fc12fc1, // zfs
  0xf2f52010, // f2fs
  0x01021994, // tmpfs
  0x858458f6, // ramfs
  0x794c7630, // overlayfs
  0x9660, // iso9660
  0x4d44, // vfat
]);

/** At most this many calls in flight on a network file system. */
const REMOTE_PARALLELISM = 32;

/** Whether metadata calls under `folder` are cheap enough to make one after another on the main thread. */
export function fileSystemKind(folder: string): 'local' | 'remote' {
  try {
    return LOCAL_FILE_SYSTEMS.has(Number(statfsSync(folder).type)) ? 'local' : 'remote';
  } catch {
    // Unknown: the asynchronous path is correct everywhere, only slower on a local disk.
    return 'remote';
  }
}

/**
 * Checks that every file exists with the size expected and that we may read it
 * (access(2), so ACLs and read-only network mounts answer for themselves).
 * `folder` is where the files live, to learn which kind of file system it is.
 */
export async function checkFiles(
  folder: string,
  files: ReadonlyArray<{ path: string; size: number }>,
  kind = fileSystemKind(folder),
): Promise<FileState[]> {
  if (kind === 'local') return files.map((file) => checkNow(file.path, file.size));
  return mapPool(files, REMOTE_PARALLELISM, (file) => checkLater(file.path, file.size));
}

function checkNow(path: string, size: number): FileState {
  try {
    const info = statSync(path, { throwIfNoEntry: false });
    if (!info) return { kind: 'missing' };
    if (info.size !== size) return { kind: 'size', size: info.size };
    accessSync(path, constants.R_OK);
    return { kind: 'ok' };
  } catch (error) {
    return stateOf(error);
  }
}

async function checkLater(path: string, size: number): Promise<FileState> {
  try {
    const info = await stat(path);
    if (info.size !== size) return { kind: 'size', size: info.size };
    await access(path, constants.R_OK);
    return { kind: 'ok' };
  } catch (error) {
    return stateOf(error);
  }
}

function stateOf(error: unknown): FileState {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'EACCES' || code === 'EPERM' ? { kind: 'denied' } : { kind: 'missing' };
}
