import { fail } from '../errors/index.js';
import { quoted } from '../printable.js';

/**
 * Manifest and tar paths come from outside: a path that is absolute, climbs
 * with "..", or hides a NUL could write outside the staging tree.
 */
export function safeRelativePath(path: string, where: string): string {
  const problem = pathProblem(path);
  if (problem) {
    throw fail('unsafePath', { path: quoted(path), where, problem });
  }
  return path
    .split('/')
    .filter((part) => part !== '' && part !== '.')
    .join('/');
}

function pathProblem(path: string): string | undefined {
  if (path.length === 0) return 'it is empty';
  if (path.includes('\0')) return 'it contains a NUL character';
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path)) return 'it is absolute';
  if (path.includes('\\')) return 'it contains a backslash';
  const parts = path.split('/');
  if (parts.includes('..')) return 'it climbs out of the package with ".."';
  if (parts.every((part) => part === '' || part === '.')) return 'it names no file';
  return undefined;
}
