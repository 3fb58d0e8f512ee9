import { basename, dirname, extname, join } from 'node:path';
import { fail, type CapmediaError } from '../errors/index.js';
import { SECTOR } from '../config/size.js';
import { isoVolumeId } from '../plugins/media/labels.js';
import type { LayoutEntry } from './layout.js';
import { MEDIA_PATHS } from '../media-paths.js';

/** R9: a volume of a CD/DVD set, the files it carries and its own label. */
export interface VolumePlan {
  number: number;
  label: string;
  files: LayoutEntry[];
}

export const SET_MANIFEST = MEDIA_PATHS.mediaSet;

/** Content packages spread over volumes; everything else is needed to boot and stays on volume 1. */
export function isSpreadable(file: LayoutEntry): boolean {
  return file.target.startsWith('SMS/PKG/');
}

/** Volume k ≥ 2 is labelled "<label>_k", cut so it stays within 32 ISO characters. */
export function volumeLabel(label: string, number: number): string {
  if (number === 1) return label;
  const suffix = `_${number}`;
  return `${isoVolumeId(label).value.slice(0, 32 - suffix.length)}${suffix}`;
}

/** `out/capture.iso` → `out/capture.set.json`: the set manifest beside the outputs. */
export function setManifestPath(output: string): string {
  return join(dirname(output), `${basename(output, extname(output))}.set.json`);
}

/** `out/capture.iso` → `out/capture-2.iso`: the wizard's "sequence number added to the name". */
export function volumeFileName(output: string, number: number): string {
  const ext = extname(output);
  return join(dirname(output), `${basename(output, ext)}-${number}${ext}`);
}

/** What a file costs on a volume: its sectors plus directory records (ISO 9660, Joliet, Rock Ridge). */
export function fileCost(file: LayoutEntry): number {
  return Math.ceil(file.size / SECTOR) * SECTOR + 256 + 3 * file.target.length;
}

/**
 * First-fit in path order, so a package's files stay together and the same
 * input always gives the same plan. Budgets are what each volume holds after
 * its fixed part (boot records and essential files on volume 1).
 */
export function assignVolumes(
  label: string,
  essential: LayoutEntry[],
  spread: LayoutEntry[],
  budgets: { first: number; other: number },
): VolumePlan[] {
  const volumes: VolumePlan[] = [{ number: 1, label, files: [...essential] }];
  let room = budgets.first;
  for (const file of [...spread].sort((a, b) => (a.target < b.target ? -1 : 1))) {
    const cost = fileCost(file);
    if (cost > budgets.other) throw fileTooLarge(file, budgets.other);
    let current = volumes[volumes.length - 1];
    if (cost > room) {
      current = { number: volumes.length + 1, label: volumeLabel(label, volumes.length + 1), files: [] };
      volumes.push(current);
      room = budgets.other;
    }
    current.files.push(file);
    room -= cost;
  }
  return volumes;
}

function fileTooLarge(file: LayoutEntry, room: number): CapmediaError {
  const isWim = file.target.toLowerCase().endsWith('.wim');
  return fail(isWim ? 'wimLargerThanVolume' : 'fileLargerThanVolume', { target: file.target, size: file.size, room });
}

export function bootTooLarge(needed: number, capacity: number, sizeSpec: number | string): CapmediaError {
  return fail('bootLargerThanVolume', { needed, capacity, sizeSpec });
}

/** The set manifest every volume carries, so the task sequence can ask for "volume k" and verify it. */
export function setManifest(label: string, volumes: readonly VolumePlan[]): string {
  const doc = {
    version: 1,
    label,
    volumeCount: volumes.length,
    volumes: volumes.map((v) => ({
      number: v.number,
      label: isoVolumeId(v.label).value,
      files: v.files.map((f) => ({ path: f.target, size: f.size, sha256: f.sha256 })),
    })),
  };
  return `${JSON.stringify(doc, null, 1)}\n`;
}
