import { open, type FileHandle } from 'node:fs/promises';
import { CP850_HIGH } from './charset.js';

/**
 * Reads the names of a FAT32 volume straight from its directories, without
 * mtools or a locale: each long name (LFN) is checked against its short
 * entry's checksum and decoded as strict UTF-16, so a name that Windows
 * would show garbled or not at all is found, not guessed at.
 */
export interface FatNames {
  /** Every path, "/" separated; long names where they are intact, else the short name. */
  paths: string[];
  /** Long names that are broken: not UTF-16, orphaned from their short entry, or out of order. */
  problems: string[];
}

interface Geometry {
  offset: number;
  bytesPerCluster: number;
  fatStart: number;
  dataStart: number;
  rootCluster: number;
}

const END_OF_CHAIN = 0x0ffffff8;
const LFN_ATTR = 0x0f;
const MAX_CLUSTERS_PER_DIR = 65_536;

async function geometry(handle: FileHandle, offset: number): Promise<Geometry | undefined> {
  const boot = Buffer.alloc(512);
  await handle.read(boot, 0, 512, offset);
  const bytesPerSector = boot.readUInt16LE(11);
  const sectorsPerCluster = boot[13];
  // Only FAT32 (no fixed root directory, 32-bit FAT size): what capmedia's USB media are.
  if (boot.readUInt16LE(510) !== 0xaa55 || !bytesPerSector || !sectorsPerCluster || boot.readUInt16LE(17) !== 0) return undefined;
  const fatStart = boot.readUInt16LE(14) * bytesPerSector;
  const dataStart = fatStart + boot[16] * boot.readUInt32LE(36) * bytesPerSector;
  return { offset, bytesPerCluster: bytesPerSector * sectorsPerCluster, fatStart, dataStart, rootCluster: boot.readUInt32LE(44) };
}

async function readChain(handle: FileHandle, g: Geometry, first: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  const entry = Buffer.alloc(4);
  for (let cluster = first, n = 0; cluster >= 2 && cluster < END_OF_CHAIN && n < MAX_CLUSTERS_PER_DIR; n++) {
    const data = Buffer.alloc(g.bytesPerCluster);
    await handle.read(data, 0, data.length, g.offset + g.dataStart + (cluster - 2) * g.bytesPerCluster);
    parts.push(data);
    await handle.read(entry, 0, 4, g.offset + g.fatStart + cluster * 4);
    cluster = entry.readUInt32LE(0) & 0x0fffffff;
  }
  return Buffer.concat(parts);
}

function shortChecksum(name: Buffer): number {
  let sum = 0;
  for (const byte of name) sum = (((sum & 1) << 7) + (sum >> 1) + byte) & 0xff;
  return sum;
}

function shortName(entry: Buffer): string {
  // Case flags (NT): bit 3 lower-case base, bit 4 lower-case extension. Bytes ≥ 0x80 in the code page capmedia writes.
  const oem = (from: number, to: number) =>
    [...entry.subarray(from, to)]
      .map((b) => (b < 0x80 ? String.fromCharCode(b) : CP850_HIGH[b - 0x80]))
      .join('')
      .trimEnd();
  // A leading 0x05 stands for 0xE5, which marks deleted entries.
  const base = (entry[0] === 0x05 ? CP850_HIGH[0xe5 - 0x80] : '') + oem(entry[0] === 0x05 ? 1 : 0, 8);
  const ext = oem(8, 11);
  const b = entry[12] & 0x08 ? base.toLowerCase() : base;
  const e = entry[12] & 0x10 ? ext.toLowerCase() : ext;
  return e ? `${b}.${e}` : b;
}

const utf16 = new TextDecoder('utf-16le', { fatal: true });

/** The long name of the entries collected before a short entry, or a problem. */
function longName(slots: Buffer[], entry: Buffer, where: string): { name?: string; problem?: string } {
  if (slots.length === 0) return {};
  const sum = shortChecksum(entry.subarray(0, 11));
  const ordered = [...slots].reverse();
  if (ordered.some((slot, i) => (slot[0] & 0x1f) !== i + 1 || slot[13] !== sum)) {
    return {
      problem: `${where}${shortName(entry)}: its long name does not belong to it (checksum or order), so Windows shows the short name`,
    };
  }
  const units = Buffer.concat(ordered.map((s) => Buffer.concat([s.subarray(1, 11), s.subarray(14, 26), s.subarray(28, 32)])));
  let end = 0;
  while (end + 1 < units.length && units.readUInt16LE(end) !== 0) end += 2;
  try {
    return { name: utf16.decode(units.subarray(0, end)) };
  } catch {
    return { problem: `${where}${shortName(entry)}: its long name is not valid UTF-16 and does not decode` };
  }
}

async function walk(handle: FileHandle, g: Geometry, cluster: number, prefix: string, out: FatNames, depth: number): Promise<void> {
  const data = await readChain(handle, g, cluster);
  let slots: Buffer[] = [];
  for (let at = 0; at + 32 <= data.length; at += 32) {
    const entry = data.subarray(at, at + 32);
    if (entry[0] === 0) break;
    if (entry[0] === 0xe5) {
      slots = [];
      continue;
    }
    if (entry[11] === LFN_ATTR) {
      if (entry[0] & 0x40) slots = [];
      slots.push(entry);
      continue;
    }
    const { name, problem } = longName(slots, entry, prefix);
    slots = [];
    if (problem) out.problems.push(problem);
    if (entry[11] & 0x08) continue; // the volume label
    const shown = name ?? shortName(entry);
    if (shown === '.' || shown === '..') continue;
    const path = `${prefix}${shown}`;
    if (entry[11] & 0x10) {
      out.paths.push(`${path}/`);
      const child = (entry.readUInt16LE(20) << 16) | entry.readUInt16LE(26);
      if (depth < 64) await walk(handle, g, child, `${path}/`, out, depth + 1);
    } else out.paths.push(path);
  }
}

/** Names of the FAT32 volume at `offset` in an image or drive; undefined when it is not FAT32. */
export async function readFatNames(file: string, offset: number): Promise<FatNames | undefined> {
  const handle = await open(file, 'r');
  try {
    const g = await geometry(handle, offset);
    if (!g) return undefined;
    const out: FatNames = { paths: [], problems: [] };
    await walk(handle, g, g.rootCluster, '', out, 0);
    return out;
  } finally {
    await handle.close();
  }
}
