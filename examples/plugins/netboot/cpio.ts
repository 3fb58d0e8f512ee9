import { createReadStream, createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** One entry of an initrd: a folder, or a file copied from `source`. */
export type InitrdEntry = { path: string; type: 'directory' } | { path: string; type: 'file'; source: string; size: number };

/**
 * Writes an uncompressed cpio "newc" archive, the format Linux unpacks as an
 * initrd. Owners, inode numbers and times are fixed (mtime = the build's
 * SOURCE_DATE_EPOCH), so the same files give the same bytes.
 */
export async function writeInitrd(output: string, entries: readonly InitrdEntry[], mtime: number): Promise<void> {
  await pipeline(Readable.from(records(entries, mtime)), createWriteStream(output));
}

async function* records(entries: readonly InitrdEntry[], mtime: number): AsyncGenerator<Buffer> {
  let inode = 1;
  for (const entry of entries) {
    const size = entry.type === 'file' ? entry.size : 0;
    const mode = entry.type === 'file' ? 0o100644 : 0o040755;
    yield header(entry.path, { inode: inode++, mode, mtime, size, nlink: entry.type === 'file' ? 1 : 2 });
    if (entry.type === 'file') {
      for await (const chunk of createReadStream(entry.source)) yield chunk as Buffer;
      yield padding(size);
    }
  }
  yield header('TRAILER!!!', { inode: 0, mode: 0, mtime: 0, size: 0, nlink: 1 });
}

function header(path: string, f: { inode: number; mode: number; mtime: number; size: number; nlink: number }): Buffer {
  const name = Buffer.from(`${path}\0`);
  const fields = [f.inode, f.mode, 0, 0, f.nlink, f.mtime, f.size, 0, 0, 0, 0, name.length, 0];
  const text = `070701${fields.map((n) => n.toString(16).padStart(8, '0')).join('')}`;
  return Buffer.concat([Buffer.from(text, 'ascii'), name, padding(text.length + name.length)]);
}

/** newc aligns every header+name and every file body to 4 bytes. */
function padding(length: number): Buffer {
  return Buffer.alloc((4 - (length % 4)) % 4);
}
