/** The remote cache in the build: what is looked up and restored (restore.ts), what is uploaded (upload.ts). */
export { lookupCaches, lookupRemoteStage, packOrRestore, restoreMediaFromRemote, splitUnlessRestored, stageFromRemote } from './restore.js';
export { finishCaches, publishThenUpload, uploadStage } from './upload.js';
