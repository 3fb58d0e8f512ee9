/**
 * A blob whose mtime is this exact value was verified by capmedia and not
 * written since: any write moves the mtime, so only then is it hashed again.
 * 1980-01-01 is also what FAT can store, so media built from the cache show a
 * sane date.
 */
export const VERIFIED_MTIME = 315_532_800;
