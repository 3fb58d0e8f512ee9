import { defineErrors } from './entry.js';
import { BUG_HINT, installHint } from './hints.js';

/** External programs (tools/): missing, failing, stopped. */
export const toolErrors = defineErrors({
  programMissing: {
    code: 'TOOL_MISSING',
    title: 'A program is not installed',
    message: (a: { program: string; pkg?: string }) => `The program "${a.program}" is not installed.`,
    hint: (a: { pkg?: string }) => (a.pkg ? installHint(a.pkg) : 'Install it and try again.'),
  },
  toolCancelled: {
    code: 'CANCELLED',
    title: 'A program was stopped',
    message: (a: { program: string }) => `${a.program} was stopped because the build was cancelled.`,
  },
  toolFailed: {
    code: 'TOOL_FAILED',
    title: 'A program failed',
    message: (a: { program: string; exitCode: number | string; lastLine: string }) =>
      `${a.program} failed (exit ${a.exitCode}): ${a.lastLine}`,
  },
  qemuFailed: {
    code: 'TOOL_FAILED',
    title: 'QEMU failed',
    message: (a: { program: string; exitCode: number | string; lastLine: string }) =>
      `${a.program} failed (exit ${a.exitCode}): ${a.lastLine}`,
    hint: 'Check that the image is readable and that qemu-system-x86 and ovmf are installed.',
  },
  qemuStartFailed: {
    code: 'TOOL_FAILED',
    title: 'QEMU could not be started',
    message: (a: { program: string; reason: string }) => `${a.program} could not be started: ${a.reason}`,
  },
  qemuCancelled: {
    code: 'CANCELLED',
    title: 'The QEMU boot was stopped',
    message: () => 'The QEMU boot was stopped because it was cancelled.',
  },
  secureBootNeedsUefi: {
    code: 'USAGE',
    title: 'Secure Boot needs UEFI',
    message: () => 'Secure Boot is a UEFI feature: it cannot be used with BIOS firmware.',
    hint: 'Use --firmware uefi with --secure-boot.',
  },
  qemuFileMissing: {
    code: 'TOOL_MISSING',
    title: 'A file QEMU needs is missing',
    message: (a: { what: string; path: string; debianPackage: string }) => `The ${a.what} ${a.path} is missing.`,
    hint: (a: { debianPackage: string }) => `Install it with: apt-get install ${a.debianPackage}.`,
  },
  qemuFileNotFile: {
    code: 'IO',
    title: 'A file QEMU needs is not a file',
    message: (a: { what: string; path: string }) => `The ${a.what} ${a.path} does not exist or is not a file.`,
    hint: 'Check the path; build the media first if it is an output.',
  },
  wimUpdateNeedsQuoting: {
    code: 'INTERNAL',
    title: 'A wimupdate path needs quoting',
    message: (a: { name: string; destination: string }) =>
      `addFolderToWim: ${JSON.stringify(a.name)} → ${JSON.stringify(a.destination)} needs quoting in a wimupdate command`,
    hint: BUG_HINT,
  },
});
