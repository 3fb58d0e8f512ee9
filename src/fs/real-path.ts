import { lstat, readdir, realpath, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, normalize, resolve, sep } from 'node:path';

/**
 * A path as the file system sees it, for comparing two paths: `..` folded,
 * symlinks of the part that exists resolved, and lower-cased where the file
 * system ignores case (FAT, exFAT, macOS and Windows defaults).
 */
export async function comparablePath(path: string): Promise<string> {
  return (await comparableFolder(path)).path;
}

/** The comparable path, and whether names inside it compare without case. */
export async function comparableFolder(path: string): Promise<{ path: string; foldsCase: boolean }> {
  const absolute = resolve(path);
  const { existing, rest } = await splitExisting(absolute);
  const real = await realpath(existing).catch(() => existing);
  const joined = rest.length ? join(real, ...rest) : real;
  const foldsCase = await ignoresCase(real);
  return { path: foldsCase ? joined.toLowerCase() : joined, foldsCase };
}

/** True when `inner` is `outer` or lies inside it (both comparable paths). */
export function isSameOrInside(inner: string, outer: string): boolean {
  // Comparable paths are absolute and normalized: a prefix test says it, without path.relative's resolving of both
  // (preflight asks for every reserved volume name against every input).
  if (!isAbsolute(inner) || !isAbsolute(outer)) return isSameOrInside(resolve(inner), resolve(outer));
  const a = withoutTrailingSep(normalize(inner));
  const b = withoutTrailingSep(normalize(outer));
  return a === b || a.startsWith(b === sep ? b : b + sep);
}

function withoutTrailingSep(path: string): string {
  return path.length > 1 && path.endsWith(sep) ? path.slice(0, -1) : path;
}

/** The deepest ancestor that exists, and the names below it that do not (yet). */
export async function splitExisting(absolute: string): Promise<{ existing: string; rest: string[] }> {
  const rest: string[] = [];
  let current = absolute;
  for (;;) {
    if (
      await lstat(current).then(
        () => true,
        () => false,
      )
    )
      return { existing: current, rest };
    const parent = dirname(current);
    if (parent === current) return { existing: current, rest };
    rest.unshift(basename(current));
    current = parent;
  }
}

const caseCache = new Map<string, boolean>();

/** Probes the folder's file system: does a name with its case flipped find the same entry? */
async function ignoresCase(path: string): Promise<boolean> {
  const folder = await stat(path).then(
    (info) => (info.isDirectory() ? path : dirname(path)),
    () => dirname(path),
  );
  const cached = caseCache.get(folder);
  if (cached !== undefined) return cached;
  const names = await readdir(folder).catch(() => [] as string[]);
  const name = names.find((n) => n.toLowerCase() !== n.toUpperCase());
  let result = false;
  if (name) {
    const flipped = [...name].map((c) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase())).join('');
    if (!names.includes(flipped)) {
      const [a, b] = await Promise.all([
        stat(join(folder, name)).catch(() => undefined),
        stat(join(folder, flipped)).catch(() => undefined),
      ]);
      result = Boolean(a && b && a.ino === b.ino && a.dev === b.dev);
    }
  }
  caseCache.set(folder, result);
  return result;
}
