import { readFile } from 'node:fs/promises';
import { fail } from '../errors/index.js';

/**
 * The two facts the initramfs needs from an x86-64 ELF file: its program
 * interpreter and the shared libraries it needs. Read here rather than with
 * ldd (which runs the file) or readelf (binutils is not a build dependency).
 */

export interface ElfDependencies {
  /** PT_INTERP, e.g. /lib64/ld-linux-x86-64.so.2; undefined for static files and libraries. */
  interpreter?: string;
  /** DT_NEEDED sonames, in file order. */
  needed: string[];
}

const PT_LOAD = 1;
const PT_DYNAMIC = 2;
const PT_INTERP = 3;
const DT_NEEDED = 1n;
const DT_STRTAB = 5n;

interface Segment {
  type: number;
  offset: number;
  vaddr: number;
  filesz: number;
}

export function isElf(data: Buffer): boolean {
  return data.length >= 64 && data.readUInt32BE(0) === 0x7f454c46;
}

export async function readElfDependencies(path: string): Promise<ElfDependencies> {
  return parseElfDependencies(await readFile(path), path);
}

export function parseElfDependencies(data: Buffer, name: string): ElfDependencies {
  if (!isElf(data) || data[4] !== 2 || data[5] !== 1) {
    throw fail('notElf64', { name });
  }
  const segments = programHeaders(data);
  const interp = segments.find((s) => s.type === PT_INTERP);
  const dynamic = segments.find((s) => s.type === PT_DYNAMIC);
  return {
    interpreter: interp ? cString(data, interp.offset) : undefined,
    needed: dynamic ? neededLibraries(data, dynamic, segments) : [],
  };
}

function programHeaders(data: Buffer): Segment[] {
  const phoff = Number(data.readBigUInt64LE(0x20));
  const entrySize = data.readUInt16LE(0x36);
  const count = data.readUInt16LE(0x38);
  const segments: Segment[] = [];
  for (let i = 0; i < count; i++) {
    const at = phoff + i * entrySize;
    segments.push({
      type: data.readUInt32LE(at),
      offset: Number(data.readBigUInt64LE(at + 8)),
      vaddr: Number(data.readBigUInt64LE(at + 16)),
      filesz: Number(data.readBigUInt64LE(at + 32)),
    });
  }
  return segments;
}

function neededLibraries(data: Buffer, dynamic: Segment, segments: Segment[]): string[] {
  const entries: Array<[bigint, bigint]> = [];
  for (let at = dynamic.offset; at + 16 <= dynamic.offset + dynamic.filesz; at += 16) {
    const tag = data.readBigInt64LE(at);
    if (tag === 0n) break;
    entries.push([tag, data.readBigUInt64LE(at + 8)]);
  }
  const strtab = entries.find(([tag]) => tag === DT_STRTAB)?.[1];
  if (strtab === undefined) return [];
  // DT_STRTAB is an address in memory; the file offset comes from the segment that maps it.
  const base = fileOffset(Number(strtab), segments);
  return entries.filter(([tag]) => tag === DT_NEEDED).map(([, value]) => cString(data, base + Number(value)));
}

function fileOffset(vaddr: number, segments: Segment[]): number {
  const load = segments.find((s) => s.type === PT_LOAD && vaddr >= s.vaddr && vaddr < s.vaddr + s.filesz);
  return load ? vaddr - load.vaddr + load.offset : vaddr;
}

function cString(data: Buffer, offset: number): string {
  const end = data.indexOf(0, offset);
  return data.toString('latin1', offset, end < 0 ? data.length : end);
}
