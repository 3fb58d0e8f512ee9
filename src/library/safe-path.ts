import { fail } from '../errors/index.js';
import { quoted } from '../printable.js';

/**
 * Manifest and tar paths come from outside: a path that is absolute, climbs
 * with "..", or hides a NUL could write outside the staging tree.
 *
 * Every file of every package passes here, several times a build: a path
 * that is already safe and normal (the common case) is returned as it is
 * after one loop; anything else takes the full check, which explains a
 * refusal and normalizes the rest.
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

const SLASH = 0x2f;
const DOT = 0x2e;
const BACKSLASH = 0x5c;
const COLON = 0x3a;

/**
 * True only for paths the full check accepts and leaves as they are: no NUL,
 * no backslash, no ":" where a drive letter's would be, and no empty, "." or
 * ".." component (which also rules out a leading or trailing "/").
 */
export function isNormalRelativePath(path: string): boolean {
  if (path.length === 0) return false;
  let start = 0;
  for (let i = 0; i <= path.length; i++) {
    const c = i < path.length ? path.charCodeAt(i) : SLASH;
    if (c === SLASH) {
      const length = i - start;
      if (length === 0) return false;
      if (path.charCodeAt(start) === DOT && (length === 1 || (length === 2 && path.charCodeAt(start + 1) === DOT))) return false;
      start = i + 1;
    } else if (c === 0 || c === BACKSLASH || (c === COLON && i === 1)) return false;
  }
  return true;
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
