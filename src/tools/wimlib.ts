import { readdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fail } from '../errors/index.js';
import { UTF8_LOCALE } from './charset.js';
import type { Exec } from './exec.js';

/**
 * wimlib-imagex split: x.wim → x.swm, x2.swm, x3.swm … Windows Setup and DISM
 * read such a set (`/SWMFile:x*.swm`). A part is at most `partMiB` unless one
 * resource (a compressed file stream) is larger: wimlib never cuts a resource,
 * so that part grows to hold it — callers must check the part sizes.
 */
export async function splitWim(exec: Exec, wim: string, firstPart: string, partMiB: number, signal?: AbortSignal): Promise<string[]> {
  // The .wim's name may be any Unicode name from a package.
  await exec('wimlib-imagex', ['split', wim, firstPart, String(partMiB)], { env: UTF8_LOCALE, cancelSignal: signal });
  return splitParts(firstPart);
}

/** The parts of a split WIM in order: x.swm, x2.swm, … (only those named after the first part). */
export async function splitParts(firstPart: string): Promise<string[]> {
  const stem = basename(firstPart).replace(/\.swm$/i, '');
  const pattern = new RegExp(`^${stem.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(\\d*)\\.swm$`, 'i');
  const names = (await readdir(dirname(firstPart))).filter((name) => pattern.test(name));
  const number = (name: string) => Number(pattern.exec(name)?.[1] || 1);
  return names.sort((a, b) => number(a) - number(b)).map((name) => join(dirname(firstPart), name));
}

export interface WimInfo {
  partNumber: string;
  imageCount: number;
}

/** Reads a WIM header (`wimlib-imagex info`); for a split set, give the first part. */
export async function wimInfo(exec: Exec, wim: string): Promise<WimInfo> {
  const { stdout } = await exec('wimlib-imagex', ['info', wim]);
  return {
    partNumber: /^Part Number:\s*(\S+)/m.exec(stdout)?.[1] ?? '',
    imageCount: Number(/^Image Count:\s*(\d+)/m.exec(stdout)?.[1] ?? 0),
  };
}

/** Checks every resource of a split set against its hash. */
export async function verifySplitWim(exec: Exec, firstPart: string): Promise<void> {
  const glob = join(dirname(firstPart), `${basename(firstPart).replace(/\.swm$/i, '')}*.swm`);
  await exec('wimlib-imagex', ['verify', firstPart, `--ref=${glob}`]);
}

export interface WimHeader {
  imageCount: number;
  /** The image flagged bootable (WinPE's boot.wim: the one Windows Boot Manager starts); 0 when none is. */
  bootIndex: number;
  partNumber: string;
}

/** Reads a WIM's header (`wimlib-imagex info`); a file wimlib cannot read fails with TOOL_FAILED and wimlib's words. */
export async function readWimHeader(exec: Exec, wim: string, signal?: AbortSignal): Promise<WimHeader> {
  const { stdout } = await exec('wimlib-imagex', ['info', wim], { cancelSignal: signal });
  return {
    imageCount: Number(/^Image Count:\s*(\d+)/m.exec(stdout)?.[1] ?? 0),
    bootIndex: Number(/^Boot Index:\s*(\d+)/m.exec(stdout)?.[1] ?? 0),
    partNumber: /^Part Number:\s*(\S+)/m.exec(stdout)?.[1] ?? '',
  };
}

export interface WimAddition {
  wim: string;
  /** 1-based image index. */
  image: number;
  /** A folder whose contents are merged into `destination` (existing files of the same name are replaced). */
  folder: string;
  /** Path inside the image, e.g. "/". */
  destination: string;
  env: Record<string, string>;
  signal?: AbortSignal;
}

/**
 * Merges a folder into a WIM image in place (`wimupdate` appends the new
 * data). Paths inside the image are matched case-insensitively, as Windows
 * does, so \SMS\Data and \sms\data are one folder. wimupdate parses its
 * command itself: running in the folder's parent keeps paths out of it.
 */
export async function addFolderToWim(exec: Exec, addition: WimAddition): Promise<void> {
  const name = basename(addition.folder);
  if (!/^[\w.-]+$/.test(name) || !/^[\w./\\-]+$/.test(addition.destination)) {
    throw fail('wimUpdateNeedsQuoting', { name, destination: addition.destination });
  }
  await exec('wimlib-imagex', ['update', addition.wim, String(addition.image), `--command=add ${name} ${addition.destination}`], {
    cwd: dirname(addition.folder),
    env: { ...addition.env, ...UTF8_LOCALE, WIMLIB_IMAGEX_IGNORE_CASE: '1' },
    cancelSignal: addition.signal,
  });
}

/** Seconds between 1601-01-01 (the Windows FILETIME epoch) and 1970-01-01. */
const FILETIME_UNIX_OFFSET = 11_644_473_600n;

/**
 * Sets an image's last modification time in the WIM's XML. wimupdate stamps
 * the wall clock there; everything else it writes comes from its inputs (the
 * added files' own times, so callers set those too), so pinning this to
 * SOURCE_DATE_EPOCH makes an update byte-reproducible (checked with wimlib 1.13).
 */
export async function setWimImageTime(exec: Exec, wim: string, image: number, epochSeconds: number, signal?: AbortSignal): Promise<void> {
  const filetime = (BigInt(Math.floor(epochSeconds)) + FILETIME_UNIX_OFFSET) * 10_000_000n;
  const hex = (value: bigint) => `0x${value.toString(16).toUpperCase().padStart(8, '0')}`;
  await exec(
    'wimlib-imagex',
    [
      'info',
      wim,
      String(image),
      '--image-property',
      `LASTMODIFICATIONTIME/HIGHPART=${hex(filetime >> 32n)}`,
      '--image-property',
      `LASTMODIFICATIONTIME/LOWPART=${hex(filetime & 0xffff_ffffn)}`,
    ],
    { cancelSignal: signal },
  );
}
