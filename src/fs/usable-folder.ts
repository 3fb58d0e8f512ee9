import { access, constants, realpath, stat } from 'node:fs/promises';
import { CapmediaError } from '../errors/index.js';
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
  if (!info) throw unusable(use, `${existing} cannot be read`, 'Check the path and its permissions.');
  if (!info.isDirectory()) {
    const what = rest.length || use.shown ? `${existing}, a part of its path, is a file, not a folder` : 'it is a file, not a folder';
    throw unusable(use, what, `Point ${use.key} at a path whose folders are folders, or move the file ${existing} out of the way.`);
  }
  const real = await realpath(existing).catch(() => existing);
  const fsType = mountFor(mounts ?? (await readMounts(HOST_ROOTS)), real)?.fsType;
  if (fsType && PSEUDO_FILE_SYSTEMS.has(fsType)) {
    throw unusable(
      use,
      `it is on ${fsType}, a kernel file system that cannot hold files`,
      `Point ${use.key} at a folder on a disk (or tmpfs).`,
    );
  }
  const writable = await access(existing, constants.W_OK | constants.X_OK).then(
    () => true,
    (error: NodeJS.ErrnoException) => error.code,
  );
  if (writable !== true) {
    const why = writable === 'EROFS' ? 'is on a read-only file system' : 'is not writable for this user';
    throw unusable(
      use,
      rest.length ? `${existing}, where it would be created, ${why}` : `${use.shown ? 'its folder' : 'it'} ${why}`,
      `Point ${use.key} at a folder this user may write, or fix the folder's owner and mode.`,
    );
  }
}

function mountFor(mounts: readonly Mount[], path: string): Mount | undefined {
  const inside = (point: string) => point === '/' || path === point || path.startsWith(`${point}/`);
  return mounts.reduce<Mount | undefined>(
    (best, m) => (inside(m.mountPoint) && m.mountPoint.length >= (best?.mountPoint.length ?? -1) ? m : best),
    undefined,
  );
}

function unusable(use: FolderUse, why: string, hint: string): CapmediaError {
  return new CapmediaError(
    'FOLDER_UNUSABLE',
    `${use.key} is ${use.shown ?? use.path}, which cannot be used: ${why}. Nothing was built or written.`,
    {
      hint,
    },
  );
}
