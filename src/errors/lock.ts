import { defineErrors } from './entry.js';

export interface Pinned {
  id: string;
  version: string;
  manifestSha256: string;
  /** The lock's file name: capmedia.lock, or site-a.lock beside site-a.config.ts. */
  lockName: string;
  failures: string[];
}

const pinned = (a: Pinned): string =>
  `Package ${a.id} version ${a.version} (manifest sha256 ${a.manifestSha256}), pinned by ${a.lockName},`;

/** The lock file (lock/): missing, out of date, edited, pins gone. */
export const lockErrors = defineErrors({
  lockMissing: {
    code: 'LOCK_MISSING',
    title: 'The lock file is missing',
    message: (a: { path: string }) => `--locked needs ${a.path}, which does not exist.`,
    hint: 'Run `capmedia update` (or a build without --locked) to write it, review it and commit it.',
  },
  lockMismatch: {
    code: 'LOCK_MISMATCH',
    title: 'The lock does not match the config',
    message: (a: { path: string; lines: string }) => `${a.path} does not match the config (--locked changes nothing):\n${a.lines}`,
    hint: 'Run `capmedia update` to bring the lock in line with the config, review the change and commit it.',
  },
  lockInvalid: {
    code: 'LOCK_INVALID',
    title: 'Not a capmedia lock file',
    message: (a: { path: string; why: string }) => `${a.path} is not a capmedia lock file: ${a.why}.`,
    hint: 'Restore it from version control, or delete it and run `capmedia update` to write it again.',
  },
  pinnedVersionGone: {
    code: 'PINNED_VERSION_GONE',
    title: 'A pinned version is gone',
    message: (a: Pinned) => `${pinned(a)} is on no distribution point any more. Asked:\n${a.failures.join('\n')}`,
    hint: (a: Pinned) =>
      `Run \`capmedia update ${a.id}\` to pin the version the distribution points have now, review the change and commit it.`,
  },
  pinnedVersionUnreadable: {
    // The code is the distribution points' own (failWithCodeOf): unreachable is retryable, no permission is not.
    code: 'DP_UNREACHABLE',
    title: 'A pinned version cannot be read',
    message: (a: Pinned) => `${pinned(a)} could not be read from any distribution point:\n${a.failures.join('\n')}`,
    hint: (a: Pinned) =>
      `Fix what each distribution point reported above, then build again; if the version is gone, run \`capmedia update ${a.id}\`.`,
  },
  lockPinMismatch: {
    code: 'LOCK_INVALID',
    title: 'The lock and the pinned manifest differ',
    message: (a: { lockName: string; id: string; kind: string; version: string; pinnedKind: string; pinnedVersion: string }) =>
      `${a.lockName} says ${a.id} is ${a.kind} version ${a.version}, but the manifest it pins is ${a.pinnedKind} version ${a.pinnedVersion}.`,
    hint: (a: { id: string }) => `The lock was edited by hand: restore it, or run \`capmedia update ${a.id}\`.`,
  },
  shardInvalid: {
    code: 'USAGE',
    title: 'Not a valid shard',
    message: (a: { text: string }) => `--shard ${a.text} is not a share k/n with 1 ≤ k ≤ n.`,
    hint: 'Pass e.g. --shard 1/4 … --shard 4/4; in a Kubernetes Indexed Job: --shard $((JOB_COMPLETION_INDEX + 1))/$COUNT.',
  },
});
