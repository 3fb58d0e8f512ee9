import { open } from 'node:fs/promises';
import { fail } from '../errors/index.js';
import { UTF8_LOCALE, XORRISO_MKISOFS_CHARSET, XORRISO_NATIVE_CHARSET } from './charset.js';
import type { Exec } from './exec.js';
import { writeHashed } from './hash-while-writing.js';
import { DESCRIPTORS_END, readJolietVolumeId, writeJolietVolumeId } from './iso-volume-descriptors.js';

/**
 * What goes on the ISO: a folder's contents, or a file of graft points
 * (`target=source` per line, "=" and backslashes escaped by a backslash), so files are read where
 * they lie and no tree has to be laid out for them.
 */
export type IsoSources = { treeDir: string } | { pathList: string };

export interface IsoOptions {
  /** Every file and directory gets this time, whatever the staged tree says (reproducible output). */
  sourceDateEpoch: number;
  sources: IsoSources;
  output: string;
  volumeId: string;
  /**
   * The Joliet volume id (what Windows shows), at most 16 UCS-2 characters.
   * xorriso derives it from the ASCII volume id; this one is written over it.
   */
  jolietVolumeId?: string;
  /** Boot arguments in mkisofs emulation (El Torito, hybrid MBR, appended ESP). */
  bootArgs: string[];
  exec: Exec;
  env: Record<string, string>;
  cancelSignal?: AbortSignal;
}

/**
 * libburn's signal handler, xorriso's default, lets a stopped xorriso write
 * on for 1.6 s (measured) before it ends, and only then the output it
 * created can be removed; a cancelled build must end within a second. Its
 * care is for optical drives, and capmedia writes files.
 */
const STOP_AT_ONCE = ['-signal_handling', 'sig_dfl'] as const;

/**
 * The archiso/lorax recipe: ISO 9660 level 3 (files over 4 GiB as multi-extent)
 * with Joliet and Rock Ridge. `-no_rc` must come first so no user xorrisorc
 * changes the result.
 */
export function isoArguments(options: Omit<IsoOptions, 'exec' | 'env'>, pacing: readonly string[] = []): string[] {
  return [
    '-no_rc',
    ...STOP_AT_ONCE,
    ...pacing,
    '-as',
    'mkisofs',
    ...XORRISO_MKISOFS_CHARSET,
    '-iso-level',
    '3',
    '-full-iso9660-filenames',
    '-joliet',
    '-joliet-long',
    '-rational-rock',
    '-volid',
    options.volumeId,
    '--set_all_file_dates',
    `=${options.sourceDateEpoch}`,
    '-appid',
    'capmedia capture media',
    '-publisher',
    'capmedia',
    '-preparer',
    'capmedia',
    ...options.bootArgs,
    '-output',
    options.output,
    ...sourceArguments(options.sources),
  ];
}

function sourceArguments(sources: IsoSources): string[] {
  return 'treeDir' in sources ? [sources.treeDir] : ['-graft-points', '-path-list', sources.pathList];
}

/**
 * xorriso's write loop looks whether the write has ended once per progress
 * message, and by default sends those at whole seconds of the clock: every
 * run ended on average half a second (up to 1.2 s) after its last byte — one
 * ISO of 200 MB took 0.9–1.6 s, 0.3–0.45 s with this; a set of four volumes
 * waited four times. The bytes written are the same.
 */
export const WRITE_PACING = ['-pacifier', 'interval=0.1'] as const;

/** Writes the ISO and returns its sha256, computed while it is written (no second read). */
export async function writeIso(options: IsoOptions & { workDir: string }): Promise<{ sha256: string; size: number }> {
  const joliet = options.jolietVolumeId;
  return writeHashed(
    options.exec,
    options.workDir,
    options.output,
    (fifo) =>
      options.exec('xorriso', isoArguments({ ...options, output: fifo }, WRITE_PACING), {
        env: { ...options.env, ...UTF8_LOCALE },
        cancelSignal: options.cancelSignal,
      }),
    joliet === undefined ? undefined : (head) => void writeJolietVolumeId(head, joliet),
  );
}

/**
 * The exact size xorriso would write (it lays out the image without writing
 * it). `-print-size` only works in a plain `-as mkisofs` start, so no
 * `-no_rc` here; HOME points at an empty folder so no user xorrisorc applies.
 */
export async function estimateIsoSize(options: IsoOptions & { workDir: string }): Promise<number> {
  const args = isoArguments(options);
  const sources = sourceArguments(options.sources);
  // -print-size goes before the pathspecs, as mkisofs wants it.
  const flags = args.slice(1, args.indexOf('-output')).concat(args.slice(args.indexOf('-output') + 2, args.length - sources.length));
  const { stdout } = await options.exec('xorriso', [...flags, '-print-size', ...sources], {
    env: { ...options.env, ...UTF8_LOCALE, HOME: options.workDir },
    cancelSignal: options.cancelSignal,
  });
  const sectors = Number(/(\d+)\s*$/.exec(stdout.trim())?.[1]);
  if (!Number.isFinite(sectors)) throw fail('isoSizeUnreadable', { output: stdout.slice(0, 200) });
  return sectors * 2048;
}

export interface IsoReport {
  volumeId: string;
  /** The Joliet volume id, what Windows shows; undefined without Joliet. */
  jolietVolumeId?: string;
  elTorito: string;
  systemArea: string;
}

/** Reads the boot records and the volume id of an ISO (for `capmedia verify` and tests). */
export async function inspectIso(exec: Exec, iso: string): Promise<IsoReport> {
  const { stdout, stderr } = await exec('xorriso', [
    '-no_rc',
    ...XORRISO_NATIVE_CHARSET,
    '-indev',
    iso,
    '-pvd_info',
    '-report_el_torito',
    'plain',
    '-report_system_area',
    'plain',
  ]);
  const text = `${stdout}\n${stderr}`;
  const volumeId = /^Volume Id\s*:\s*(.*)$/m.exec(text)?.[1]?.trim() ?? '';
  return { volumeId, jolietVolumeId: readJolietVolumeId(await readHead(iso)), elTorito: text, systemArea: text };
}

async function readHead(iso: string): Promise<Buffer> {
  const handle = await open(iso, 'r');
  try {
    const head = Buffer.alloc(DESCRIPTORS_END);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    return head.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** Extracts one file from an ISO without mounting it (the host kernel may not mount iso9660). */
export async function extractFromIso(exec: Exec, iso: string, path: string, destination: string): Promise<void> {
  await exec('xorriso', ['-no_rc', ...XORRISO_NATIVE_CHARSET, '-osirrox', 'on', '-indev', iso, '-extract', `/${path}`, destination]);
}
