import { access, constants, realpath, stat } from 'node:fs/promises';
import { fail } from '../errors/index.js';
import { readMounts, type Mount } from '../devices/mounts.js';
import { HOST_ROOTS } from '../devices/roots.js';
import { splitExisting } from './real-path.js';

/** Kernel file systems that look like folders but hold no files (writes hang, fail or do something else). */
const PSEUDO_FILE_SYSTEMS = new Set([
  'proc',
  'sysfs',
  'devtmpfs',
  'devpts',
  'cgroup',
  'cgroup2',
  'debugfs',
  'tracefs',
  'securityfs',
  'pstore',
  'bpf',
  'configfs',
  'efivarfs',
  'mqueue',
  'fusectl',
  'binfmt_misc',
  'autofs',
  'hugetlbfs',
  'rpc_pipefs',
  'nsfs',
]);

export interface FolderUse {
  /** The config key (or setting) the folder comes from, for the message. */
  key: string;
  path: string;
  /** What the user wrote, when the folder checked is its parent (the folder of media.file). */
  shown?: string;
}

/**
 * Checked before any work, without creating anything: the folder exists or
 * can be created, is a folder, can be written, and lies on a real file system.
 */
export async function checkUsableFolder(use: FolderUse, mounts?: readonly Mount[]): Promise<void> {
  const { existing, rest } = await splitExisting(use.path);
  const info = await stat(existing).catch(() => undefined);
  if (!info) throw fail('folderUnreadable', { ...shown(use), existing });
  if (!info.isDirectory()) {
    throw fail('folderIsFile', { ...shown(use), existing, partOfPath: rest.length > 0 || use.shown !== undefined });
  }
  const real = await realpath(existing).catch(() => existing);
  const fsType = mountFor(mounts ?? (await readMounts(HOST_ROOTS)), real)?.fsType;
  if (fsType && PSEUDO_FILE_SYSTEMS.has(fsType)) {
    throw fail('folderOnPseudoFileSystem', { ...shown(use), fsType });
  }
  const writable = await access(existing, constants.W_OK | constants.X_OK).then(
    () => true,
    (error: NodeJS.ErrnoException) => error.code,
  );
  if (writable !== true) {
    const why = writable === 'EROFS' ? 'is on a read-only file system' : 'is not writable for this user';
    const where = rest.length ? `${existing}, where it would be created,` : use.shown ? 'its folder' : 'it';
    throw fail('folderNotWritable', { ...shown(use), where, why });
  }
}

function mountFor(mounts: readonly Mount[], path: string): Mount | undefined {
  const inside = (point: string) => point === '/' || path === point || path.startsWith(`${point}/`);
  return mounts.reduce<Mount | undefined>(
    (best, m) => (inside(m.mountPoint) && m.mountPoint.length >= (best?.mountPoint.length ?? -1) ? m : best),
    undefined,
  );
}

/** How the folder is named in messages: the config key and the path as the user wrote it. */
const shown = (use: FolderUse): { key: string; shown: string } => ({ key: use.key, shown: use.shown ?? use.path });
