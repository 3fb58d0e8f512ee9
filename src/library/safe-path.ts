import { fail } from '../errors/index.js';
import { quoted } from '../printable.js';

/**
 * Manifest and tar paths come from outside: a path that is absolute, climbs
 * with "..", or hides a NUL could write outside the staging tree.
 *
 * Every file of every package passes here, several times a build: a path
 * that is already safe and normal (the common case) is returned as it is
 * after one regular expression test; anything else takes the full check,
 * which explains a refusal and normalizes the rest.
 */
export function safeRelativePath(path: string, where: string): string {
  return isNormalRelativePath(path) ? path : checkedRelativePath(path, where);
}

/** The full check: why a path is refused, or the path without empty and "." components. */
export function checkedRelativePath(path: string, where: string): string {
  const problem = pathProblem(path);
  if (problem) {
    throw fail('unsafePath', { path: quoted(path), where, problem });
  }
  return path
    .split('/')
    .filter((part) => part !== '' && part !== '.')
    .join('/');
}

/**
 * Whatever the full check refuses or would change: empty, a leading or
 * trailing "/", an empty, "." or ".." component, a backslash, a NUL, a drive
 * letter. One regular expression: this runs cold, once per file, and the
 * regular expression engine's compiled code beats an interpreted loop.
 */
const NOT_NORMAL = /^$|^\/|\/$|\/\/|\\|\0|^[A-Za-z]:|(?:^|\/)\.\.?(?:\/|$)/;

/** True only for paths the full check accepts and leaves as they are. */
export function isNormalRelativePath(path: string): boolean {
  return !NOT_NORMAL.test(path);
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
