/** Hints several entries give, written once so they cannot drift apart. */
export const installHint = (packages: string): string => `Install it with: apt-get install ${packages} (or run ./setup.sh).`;

export const REPUBLISH_HINT = 'Re-publish the package with `capmedia distribute`.';

export const BUG_HINT = 'This is a bug in capmedia; run again with --verbose and report the output.';
