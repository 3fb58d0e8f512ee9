/** The remote cache in the build: what is looked up and restored (restore.ts), what is uploaded (upload.ts). */
export { lookupCaches, lookupRemoteStage, placeRestored, restoreMedia, stageFromRemote } from './restore.js';
export { finishCaches, uploadMedia, uploadStage } from './upload.js';
