import { createReadStream, createWriteStream } from 'node:fs';
import { lstat, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { fail } from '../errors/index.js';

/**
 * A deterministic gzip'd cpio "newc" archive, the format the kernel unpacks
 * as initramfs. Written here rather than with GNU cpio so that owners, inode
 * numbers, mtimes and order are fixed by construction, and so device nodes
 * (/dev/console) need no mknod, i.e. no root.
 */

export type CpioEntry =
  | { path: string; type: 'directory'; mode: number }
  | { path: string; type: 'file'; mode: number; source: string; size: number }
  | { path: string; type: 'symlink'; target: string }
  | { path: string; type: 'char-device'; mode: number; major: number; minor: number };

const TYPE_BITS = { directory: 0o040000, file: 0o100000, symlink: 0o120000, 'char-device': 0o020000 } as const;
const TRAILER = 'TRAILER!!!';

/** Walks a folder into entries: owner root, permissions normalized to 0755/0644. */
export async function collectTree(root: string, prefix = ''): Promise<CpioEntry[]> {
  const entries: CpioEntry[] = [];
  for (const name of (await readdir(root)).sort()) {
    const source = join(root, name);
    const path = prefix + name;
    const info = await lstat(source);
    if (info.isSymbolicLink()) entries.push({ path, type: 'symlink', target: await readlink(source) });
    else if (info.isDirectory()) entries.push({ path, type: 'directory', mode: 0o755 }, ...(await collectTree(source, `${path}/`)));
    else if (info.isFile()) entries.push({ path, type: 'file', mode: info.mode & 0o111 ? 0o755 : 0o644, source, size: info.size });
    else throw fail('initramfsEntryUnsupported', { source });
  }
  return entries;
}

/** Sorts by byte order of the path, so parents precede their children. */
export function sortEntries(entries: readonly CpioEntry[]): CpioEntry[] {
  return [...entries].sort((a, b) => Buffer.compare(Buffer.from(a.path), Buffer.from(b.path)));
}

export async function writeCpioGz(entries: readonly CpioEntry[], outFile: string, mtime: number): Promise<void> {
  const archive = Readable.from(cpioChunks(sortEntries(entries), mtime));
  await pipeline(archive, createGzip({ level: 6 }), createWriteStream(outFile));
}

async function* cpioChunks(entries: readonly CpioEntry[], mtime: number): AsyncGenerator<Buffer> {
  let inode = 1;
  for (const entry of entries) {
    const data = entry.type === 'symlink' ? Buffer.from(entry.target) : undefined;
    const size = entry.type === 'file' ? entry.size : (data?.length ?? 0);
    yield header(entry, { inode: inode++, mtime, size });
    if (data) yield data;
    if (entry.type === 'file') yield* fileChunks(entry.source, entry.size);
    yield padding(size);
  }
  yield header({ path: TRAILER, type: 'file', mode: 0, source: '', size: 0 }, { inode: 0, mtime: 0, size: 0, trailer: true });
}

async function* fileChunks(source: string, size: number): AsyncGenerator<Buffer> {
  let read = 0;
  for await (const chunk of createReadStream(source)) {
    read += (chunk as Buffer).length;
    yield chunk as Buffer;
  }
  if (read !== size) {
    throw fail('initramfsFileChanged', { source });
  }
}

interface HeaderFields {
  inode: number;
  mtime: number;
  size: number;
  trailer?: boolean;
}

function header(entry: CpioEntry, fields: HeaderFields): Buffer {
  const name = Buffer.from(`${entry.path}\0`);
  const mode = fields.trailer ? 0 : TYPE_BITS[entry.type] | (entry.type === 'symlink' ? 0o777 : entry.mode);
  const device = entry.type === 'char-device' ? [entry.major, entry.minor] : [0, 0];
  const nlink = entry.type === 'directory' ? 2 : 1;
  const numbers = [fields.inode, mode, 0, 0, nlink, fields.mtime, fields.size, 0, 0, device[0], device[1], name.length, 0];
  const text = '070701' + numbers.map((value) => value.toString(16).padStart(8, '0')).join('');
  return Buffer.concat([Buffer.from(text, 'ascii'), name, padding(text.length + name.length)]);
}

/** newc aligns each header+name and each file body to 4 bytes. */
function padding(length: number): Buffer {
  return Buffer.alloc((4 - (length % 4)) % 4);
}
