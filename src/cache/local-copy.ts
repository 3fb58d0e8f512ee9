import { closeSync, futimesSync, open as fsOpen, openSync, read as fsRead, readFileSync, writeSync } from 'node:fs';
import { promisify } from 'node:util';
import { open, type FileHandle } from 'node:fs/promises';
import { fail, ioError } from '../errors/index.js';
import { sha256Hex } from '../library/hash.js';
import { createSha256 } from '../workers/sha256.js';
import { VERIFIED_MTIME } from './verified.js';

/** What a copy of a blob is meant to be, and what to call it in an error. */
export interface ExpectedBlob {
  sha256: string;
  size: number;
  what: string;
}

/**
 * Copies a large blob from a local library into `temp` in one pass: each slab
 * is read once, written to `temp` and handed to the hashing thread, so no byte
 * is read twice and the hash never runs on this thread. `temp` ends marked
 * verified; the caller renames it only after this resolves.
 */
export async function copyLargeBlob(source: string, temp: string, expected: ExpectedBlob): Promise<void> {
  const input = await open(source, 'r').catch((error: unknown) => Promise.reject(ioError('read', source, error)));
  const hash = createSha256(expected.size);
  let bytes = 0;
  try {
    const output = await open(temp, 'wx');
    try {
      for (;;) {
        const read = await hash.fill(async (slab) => {
          const { bytesRead } = await input
            .read(slab, 0, slab.length, bytes)
            .catch((error: unknown) => Promise.reject(ioError('read', source, error)));
          await writeAll(output, temp, slab.subarray(0, bytesRead), bytes);
          return bytesRead;
        });
        if (read === 0) break;
        bytes += read;
      }
      await output.utimes(VERIFIED_MTIME, VERIFIED_MTIME);
    } finally {
      await output.close();
    }
  } catch (error) {
    hash.close();
    throw error;
  } finally {
    await input.close();
  }
  checkCopy(expected, { sha256: await hash.digest(), size: bytes });
}

/**
 * Copies a small blob: two awaited calls (open, read) so this thread never
 * waits for a cold disk, then hashed and written with synchronous calls of a
 * few µs each, where awaited ones cost ~30 µs of this thread apiece; for
 * thousands of small files that is the whole cost. `temp` ends marked verified.
 */
export async function copySmallBlob(source: string, temp: string, expected: ExpectedBlob): Promise<void> {
  const bytes = await readSmallFile(source, expected.size);
  checkCopy(expected, { sha256: sha256Hex(bytes), size: bytes.length });
  const fd = openSync(temp, 'wx');
  try {
    for (let written = 0; written < bytes.length;) written += writeSync(fd, bytes, written, bytes.length - written, written);
    futimesSync(fd, VERIFIED_MTIME, VERIFIED_MTIME);
  } finally {
    closeSync(fd);
  }
}

/** The file's bytes, read up to one past the expected size; a longer file is read whole, for the message. */
async function readSmallFile(source: string, size: number): Promise<Buffer> {
  let fd: number | undefined;
  try {
    fd = await openFile(source, 'r');
    const buffer = Buffer.allocUnsafe(size + 1);
    let length = 0;
    for (let read = -1; read !== 0 && length < buffer.length; length += read)
      read = (await readAt(fd, buffer, length, buffer.length - length, length)).bytesRead;
    return length <= size ? buffer.subarray(0, length) : readFileSync(source);
  } catch (error) {
    throw ioError('read', source, error);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

const openFile = promisify(fsOpen);
const readAt = promisify(fsRead);

/** A write may take fewer bytes than asked (a full disk shows up on the next call). */
async function writeAll(output: FileHandle, path: string, bytes: Buffer, position: number): Promise<void> {
  for (let written = 0; written < bytes.length;) {
    const { bytesWritten } = await output.write(bytes, written, bytes.length - written, position + written);
    if (bytesWritten === 0) throw fail('diskAcceptsNoMore', { path });
    written += bytesWritten;
  }
}

function checkCopy(expected: ExpectedBlob, actual: { sha256: string; size: number }): void {
  if (actual.size !== expected.size || actual.sha256 !== expected.sha256)
    throw fail('localBlobCorrupt', {
      what: expected.what,
      bytes: actual.size,
      size: expected.size,
      actual: actual.sha256,
      expected: expected.sha256,
    });
}
