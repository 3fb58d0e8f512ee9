import { defineErrors } from './entry.js';

export interface Folder {
  key: string;
  shown: string;
}

const unusable = (a: Folder, why: string): string => `${a.key} is ${a.shown}, which cannot be used: ${why}. Nothing was built or written.`;

/** Outputs and the folders a build writes (fs/): usable, owned, locked. */
export const outputErrors = defineErrors({
  folderUnreadable: {
    code: 'FOLDER_UNUSABLE',
    title: 'A folder cannot be read',
    message: (a: Folder & { existing: string }) => unusable(a, `${a.existing} cannot be read`),
    hint: 'Check the path and its permissions.',
  },
  folderIsFile: {
    code: 'FOLDER_UNUSABLE',
    title: 'A folder is a file',
    message: (a: Folder & { existing: string; partOfPath: boolean }) =>
      unusable(a, a.partOfPath ? `${a.existing}, a part of its path, is a file, not a folder` : 'it is a file, not a folder'),
    hint: (a: Folder & { existing: string }) =>
      `Point ${a.key} at a path whose folders are folders, or move the file ${a.existing} out of the way.`,
  },
  folderOnPseudoFileSystem: {
    code: 'FOLDER_UNUSABLE',
    title: 'A folder is on a kernel file system',
    message: (a: Folder & { fsType: string }) => unusable(a, `it is on ${a.fsType}, a kernel file system that cannot hold files`),
    hint: (a: Folder) => `Point ${a.key} at a folder on a disk (or tmpfs).`,
  },
  folderNotWritable: {
    code: 'FOLDER_UNUSABLE',
    title: 'A folder cannot be written',
    message: (a: Folder & { where: string; why: string }) => unusable(a, `${a.where} ${a.why}`),
    hint: (a: Folder) => `Point ${a.key} at a folder this user may write, or fix the folder's owner and mode.`,
  },
  outputFolderNotFolder: {
    code: 'OUTPUT_CONFLICT',
    title: 'The output folder is not a folder',
    message: (a: { key: string; path: string }) => `${a.key} is ${a.path}, which is not a folder. Nothing was built or written.`,
    hint: (a: { key: string }) => `Point ${a.key} at a folder of its own (absent, empty, or written by capmedia before).`,
  },
  outputFolderForeign: {
    code: 'OUTPUT_CONFLICT',
    title: 'The output folder holds other files',
    message: (a: { key: string; path: string; shown: string; missingMarker: string }) =>
      `${a.key} is ${a.path}, which holds files capmedia did not write (${a.shown}${a.missingMarker}). It is replaced whole on each build, so nothing was built or written.`,
    hint: (a: { key: string; path: string }) => `Point ${a.key} at an empty or new folder, or move those files out of ${a.path}.`,
  },
  outputLocked: {
    code: 'OUTPUT_LOCKED',
    title: 'Another build holds the output',
    message: (a: { holder: string; output: string; path: string }) => `Another build (process ${a.holder}) is still writing ${a.output}.`,
    hint: (a: { path: string }) => `Wait for it to finish, or stop it; if no such build runs, remove ${a.path}.`,
  },
  outputLockWaitCancelled: {
    code: 'CANCELLED',
    title: 'Cancelled while waiting for the output',
    message: (a: { output: string }) =>
      `The build was cancelled while waiting for another build of ${a.output}; previous outputs are untouched.`,
    hint: 'Run the same command again to build.',
  },
});
