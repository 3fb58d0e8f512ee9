import { CapmediaError } from '../../errors/index.js';
import type { PackageCheck } from './types.js';

/** What verify reports when reading a package's manifest failed: each error class keeps its own status (R3, R4). */
export function checkFromError(error: unknown): PackageCheck {
  if (!(error instanceof CapmediaError)) throw error;
  if (error.code === 'PACKAGE_NOT_FOUND') return { status: 'missing', reason: error.message };
  if (error.code === 'NO_READ_PERMISSION') return { status: 'no-permission', reason: error.message };
  if (error.code === 'PACKAGE_INVALID' || error.code === 'UNSAFE_PATH') return { status: 'invalid', reason: error.message };
  return { status: 'unreachable', reason: error.message };
}
