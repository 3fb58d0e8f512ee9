import { readdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Exec } from './exec.js';

/**
 * wimlib-imagex split: x.wim → x.swm, x2.swm, x3.swm … Windows Setup and DISM
 * read such a set (`/SWMFile:x*.swm`). A part is at most `partMiB` unless one
 * resource (a compressed file stream) is larger: wimlib never cuts a resource,
 * so that part grows to hold it — callers must check the part sizes.
 */
export async function splitWim(exec: Exec, wim: string, firstPart: string, partMiB: number, signal?: AbortSignal): Promise<string[]> {
  await exec('wimlib-imagex', ['split', wim, firstPart, String(partMiB)], { cancelSignal: signal });
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
