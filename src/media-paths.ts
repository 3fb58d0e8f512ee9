/**
 * Where things live on a capture medium, relative to its root: the one
 * spelling of each path the agent, `verify` and every media type share
 * (Configuration Manager's layout: SMS/data/…).
 */
export const MEDIA_PATHS = {
  /** The task sequence the agent runs. */
  taskSequence: 'SMS/data/TaskSequence.json',
  /** Its shell-safe companion, read by the linux boot image's /init. */
  taskSequenceVars: 'SMS/data/TaskSequence.vars',
  /** Which package versions the media carry, and the lock digest. */
  mediaContent: 'SMS/data/MediaContent.json',
  /** A set's volumes and which files each holds. */
  mediaSet: 'SMS/data/MediaSet.json',
  /** The files capmedia wrote to a USB drive it updates in place. */
  ownFilesList: 'SMS/data/capmedia-files.txt',
  /** The label the media were made with. */
  mediaLabel: 'MediaLabel.txt',
} as const;

/** The same path from the root of a mounted medium ("/SMS/data/…"), as GRUB and /init search for it. */
export const fromRoot = (path: string): string => `/${path}`;
