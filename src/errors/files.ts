import { defineErrors } from './entry.js';
import { BUG_HINT } from './hints.js';

/** Failures of the local file system, whatever the step. */
export const fileErrors = defineErrors({
  noSpace: {
    code: 'NO_SPACE',
    title: 'No space left on the device',
    message: (a: { operation: string; path: string }) => `No space left on the device while trying to ${a.operation} ${a.path}.`,
    hint: 'Free some space or point media.staging / the output at a larger file system.',
  },
  permissionDenied: {
    code: 'IO',
    title: 'Permission denied',
    message: (a: { operation: string; path: string }) => `Permission denied: cannot ${a.operation} ${a.path}.`,
    hint: 'Check the owner and mode of the path, or run with an account that may write there.',
  },
  fileOperationFailed: {
    code: 'IO',
    title: 'A file operation failed',
    message: (a: { operation: string; path: string; reason: string }) => `Cannot ${a.operation} ${a.path}: ${a.reason}`,
  },
  systemCallFailed: {
    code: 'IO',
    title: 'A file operation failed',
    message: (a: { syscall: string; where: string; errno: string }) => `A file operation failed (${a.syscall}${a.where}): ${a.errno}.`,
    hint: 'Check that the path exists, is writable and has space; run again with --verbose for the details.',
  },
});

/** Not the input's fault: a bug to report. */
export const internalErrors = defineErrors({
  unexpected: {
    code: 'INTERNAL',
    title: 'An unexpected error',
    message: (a: { reason: string }) => `capmedia stopped on an unexpected error: ${a.reason}`,
    hint: BUG_HINT,
  },
  templateValueMissing: {
    code: 'INTERNAL',
    title: 'A template placeholder has no value',
    message: (a: { key: string }) => `template placeholder {{${a.key}}} has no value`,
    hint: BUG_HINT,
  },
});
