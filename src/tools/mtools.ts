import { posix } from 'node:path';
import { CapmediaError } from '../errors/index.js';
import { MTOOLS_NAME_ENV } from './charset.js';
import type { Exec } from './exec.js';

/**
 * mtools reads and writes a FAT volume inside a file or a drive without
 * mounting it (`-i image@@offset`). Files are copied in sorted order, one call
 * per folder, so the directory entries and cluster allocation — and with them
 * the image bytes — do not depend on the order the staging disk lists files.
 */

export interface FatVolume {
  /** Image file or block device. */
  file: string;
  /** Byte offset of the FAT file system (the partition start). */
  offset: number;
  env: Record<string, string>;
  signal?: AbortSignal;
}

export interface FatFile {
  source: string;
  /** "/" separated path inside the volume. */
  target: string;
}

/** Long argument lists are split so no call hits the kernel's argument size limit. */
const BATCH = 200;

export function volumeSpec(volume: FatVolume): string {
  return volume.offset ? `${volume.file}@@${volume.offset}` : volume.file;
}

function options(volume: FatVolume) {
  // Drives report geometries mtools would otherwise question.
  return { env: mtoolsEnv(volume.env), cancelSignal: volume.signal };
}

/** The environment of every mtools call: UTF-8 names and a fixed code page, whatever the caller's locale. */
export function mtoolsEnv(env: Record<string, string> = {}): Record<string, string> {
  return { ...env, MTOOLS_SKIP_CHECK: '1', ...MTOOLS_NAME_ENV };
}

/** Creates folders, parents first, except those in `existing` (lower case: FAT names ignore case). */
export async function makeFolders(
  exec: Exec,
  volume: FatVolume,
  folders: readonly string[],
  existing: ReadonlySet<string> = new Set(),
): Promise<void> {
  const wanted = [...new Set(folders.flatMap(withParents))].filter((f) => !existing.has(f.toLowerCase())).sort();
  for (let i = 0; i < wanted.length; i += BATCH) {
    await exec('mmd', ['-i', volumeSpec(volume), ...wanted.slice(i, i + BATCH).map((f) => `::/${f}`)], options(volume));
  }
}

function withParents(folder: string): string[] {
  const parts = folder.split('/').filter(Boolean);
  return parts.map((_, i) => parts.slice(0, i + 1).join('/'));
}

/**
 * Copies files. `overwrite` replaces files of the same name; without it a clash is an error.
 */
export async function copyFiles(exec: Exec, volume: FatVolume, files: readonly FatFile[], overwrite = false): Promise<void> {
  const byFolder = new Map<string, FatFile[]>();
  for (const file of [...files].sort((a, b) => compare(a.target, b.target))) {
    const folder = posix.dirname(file.target);
    byFolder.set(folder, [...(byFolder.get(folder) ?? []), file]);
  }
  for (const [folder, group] of [...byFolder].sort(([a], [b]) => compare(a, b))) {
    for (let i = 0; i < group.length; i += BATCH) {
      const sources = group.slice(i, i + BATCH).map((f) => f.source);
      const destination = folder === '.' ? '::/' : `::/${folder}/`;
      // No -m: mtools stamps SOURCE_DATE_EPOCH, not the content store's fixed time of the linked blobs.
      await exec('mcopy', ['-i', volumeSpec(volume), '-Q', ...(overwrite ? ['-D', 'o'] : []), ...sources, destination], options(volume));
    }
  }
}

/** Byte order, not locale order: the same on every machine. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Every path in the volume; folders end with "/". */
export async function listVolume(exec: Exec, volume: FatVolume): Promise<string[]> {
  const { stdout } = await exec('mdir', ['-i', volumeSpec(volume), '-/', '-b', '::/'], options(volume)).catch((error: unknown) => {
    // mdir -b fails on a volume with no files at all (a freshly formatted stick).
    if (error instanceof CapmediaError && /File "::\/" not found/.test(`${error.message}\n${error.detail ?? ''}`)) return { stdout: '' };
    throw error;
  });
  return stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => line.replace(/^::\//, ''));
}

/** A text file from the volume, or undefined when it is not there. */
export async function readVolumeText(exec: Exec, volume: FatVolume, path: string): Promise<string | undefined> {
  try {
    return (await exec('mtype', ['-i', volumeSpec(volume), `::/${path}`], options(volume))).stdout;
  } catch (error) {
    if (error instanceof CapmediaError && /not found/i.test(error.detail ?? error.message)) return undefined;
    throw error;
  }
}

export async function deleteFiles(exec: Exec, volume: FatVolume, paths: readonly string[]): Promise<void> {
  for (let i = 0; i < paths.length; i += BATCH) {
    await exec('mdel', ['-i', volumeSpec(volume), ...paths.slice(i, i + BATCH).map((p) => `::/${p}`)], options(volume));
  }
}

export async function volumeLabel(exec: Exec, volume: FatVolume): Promise<string> {
  const { stdout } = await exec('mlabel', ['-s', '-i', volumeSpec(volume), '::'], options(volume));
  return /Volume label is (.*)$/m.exec(stdout)?.[1]?.trimEnd() ?? '';
}

/** Copies one file out of the volume to a local path. */
export async function copyFromVolume(exec: Exec, volume: FatVolume, path: string, destination: string): Promise<void> {
  await exec('mcopy', ['-i', volumeSpec(volume), '-n', `::/${path}`, destination], options(volume));
}
