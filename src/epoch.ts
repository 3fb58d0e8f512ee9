/**
 * SOURCE_DATE_EPOCH, read in one place: the time every file, volume and
 * record of a build is stamped with (reproducible-builds.org). Everything
 * else takes the number.
 */

/**
 * Without SOURCE_DATE_EPOCH we use 1980-01-01T00:00:00Z (the FAT epoch, the
 * earliest time every target file system can hold) so builds stay reproducible.
 */
export const DEFAULT_SOURCE_DATE_EPOCH = 315_532_800;

/** Whole seconds, or undefined when unset, empty or not a number: CI systems often export it empty. */
export function parseSourceDateEpoch(raw: string | undefined): number | undefined {
  return raw !== undefined && /^\d+$/.test(raw) ? Number(raw) : undefined;
}

/** The build's epoch from the environment. */
export const sourceDateEpochOf = (env: NodeJS.ProcessEnv): number =>
  parseSourceDateEpoch(env.SOURCE_DATE_EPOCH) ?? DEFAULT_SOURCE_DATE_EPOCH;
