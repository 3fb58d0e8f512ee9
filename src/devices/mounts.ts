import { readFile, realpath } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { SystemRoots } from './roots.js';

export interface Mount {
  /** "major:minor" of the mounted file system's device. */
  devno: string;
  mountPoint: string;
  fsType: string;
  /** What was mounted, e.g. /dev/sdb1. */
  source: string;
}

/** mountinfo escapes space, tab, newline and backslash as octal (\040). */
function unescapeOctal(text: string): string {
  return text.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

/** Parses /proc/self/mountinfo (proc(5)): `id parent major:minor root mountpoint options [optional…] - fstype source superoptions`. */
export function parseMountInfo(text: string): Mount[] {
  return text
    .split('\n')
    .filter(Boolean)
    .flatMap((line) => {
      const [left, right] = line.split(' - ');
      if (!right) return [];
      const fields = left.split(' ');
      const [fsType, source] = right.split(' ');
      return [{ devno: fields[2], mountPoint: unescapeOctal(fields[4]), fsType, source: unescapeOctal(source ?? '') }];
    });
}

export async function readMounts(roots: SystemRoots): Promise<Mount[]> {
  return parseMountInfo(await readFile(join(roots.proc, 'self/mountinfo'), 'utf8').catch(() => ''));
}

/** Names (e.g. "sdb2") of block devices in use as swap; swap files live on mounted file systems, caught as mounts. */
export async function readSwapDevices(roots: SystemRoots): Promise<string[]> {
  const text = await readFile(join(roots.proc, 'swaps'), 'utf8').catch(() => '');
  return text
    .split('\n')
    .slice(1)
    .map((line) => unescapeOctal(line.split(/\s+/)[0] ?? ''))
    .filter((path) => path.startsWith('/dev/'))
    .map((path) => basename(path));
}

/** The mount a path lives on: the longest mount point that contains it (symlinks resolved first). */
export async function mountOf(mounts: readonly Mount[], path: string): Promise<Mount | undefined> {
  const real = await realpath(path).catch(() => path);
  const inside = (point: string) => point === '/' || real === point || real.startsWith(`${point}/`);
  // The last mount on a point hides earlier ones, so among equal lengths the later line wins.
  return mounts.reduce<Mount | undefined>(
    (best, m) => (inside(m.mountPoint) && m.mountPoint.length >= (best?.mountPoint.length ?? -1) ? m : best),
    undefined,
  );
}
