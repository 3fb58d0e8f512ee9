import { createHash } from 'node:crypto';
import { constants, createReadStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { CapmediaError, ioError, fail } from '../errors/index.js';
import type { Exec } from '../tools/exec.js';

/**
 * Writing an image to a drive the way balenaEtcher does: hash the bytes while
 * writing them, fsync, drop the kernel's cached copy, then read the drive
 * back and compare. A stick that silently drops writes (a fake-capacity or
 * worn-out one) fails here instead of at the reference computer.
 */

export interface WrittenImage {
  bytes: number;
  sha256: string;
}

const CHUNK = 4 * 2 ** 20;

const isAbort = (error: unknown) => (error as Error | undefined)?.name === 'AbortError';

export interface WriteOptions {
  /** The drive's size; when larger than the image, its last MiB is zeroed so no stale backup GPT survives. */
  deviceBytes?: number;
  signal?: AbortSignal;
}

export async function writeImageToDevice(image: string, device: string, options: WriteOptions = {}): Promise<WrittenImage> {
  const handle = await openExclusive(device);
  const hash = createHash('sha256');
  let position = 0;
  try {
    for await (const chunk of createReadStream(image, { highWaterMark: CHUNK, signal: options.signal }) as AsyncIterable<Buffer>) {
      hash.update(chunk);
      await writeFully(handle, chunk, position);
      position += chunk.length;
    }
    const { deviceBytes } = options;
    if (deviceBytes && deviceBytes - 2 ** 20 >= position) await writeFully(handle, Buffer.alloc(2 ** 20), deviceBytes - 2 ** 20);
    await handle.sync();
  } catch (error) {
    if (error instanceof CapmediaError) throw error;
    if (isAbort(error)) throw fail('deviceWriteCancelled', { device });
    throw ioError('write the image to', device, error);
  } finally {
    await handle.close();
  }
  return { bytes: position, sha256: hash.digest('hex') };
}

/** O_EXCL on a block device fails with EBUSY while the kernel uses it (mounted, swap, LVM): a last guard after the checks. */
async function openExclusive(device: string): Promise<FileHandle> {
  try {
    return await open(device, constants.O_WRONLY | constants.O_EXCL);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EBUSY') {
      throw fail('deviceInUse', { device });
    }
    throw ioError('open for writing', device, error);
  }
}

async function writeFully(handle: FileHandle, chunk: Buffer, position: number): Promise<void> {
  for (let done = 0; done < chunk.length;) {
    const { bytesWritten } = await handle.write(chunk, done, chunk.length - done, position + done);
    done += bytesWritten;
  }
}

/**
 * Drops the kernel's cached copy of the drive (BLKFLSBUF), so the read-back
 * comes from the drive and not from memory. Best effort: returns false when
 * blockdev is missing or refused, and the caller says the check was weaker.
 */
export async function dropDeviceCache(exec: Exec, device: string): Promise<boolean> {
  return exec('blockdev', ['--flushbufs', device]).then(
    () => true,
    () => false,
  );
}

/** Reads the first `written.bytes` of the drive back and compares them with what was written. */
export async function verifyDevice(device: string, written: WrittenImage, signal?: AbortSignal): Promise<void> {
  const hash = createHash('sha256');
  let bytes = 0;
  try {
    const stream = createReadStream(device, { start: 0, end: written.bytes - 1, highWaterMark: CHUNK, signal });
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      hash.update(chunk);
      bytes += chunk.length;
    }
  } catch (error) {
    if (isAbort(error)) throw fail('deviceCheckCancelled', { device });
    throw ioError('read back', device, error);
  }
  const sha256 = hash.digest('hex');
  if (bytes !== written.bytes || sha256 !== written.sha256) {
    throw fail('deviceReadBackMismatch', { device, bytes, sha256, writtenBytes: written.bytes, writtenSha256: written.sha256 });
  }
}

/** mtools writes through the page cache: fsync the drive so the files are on it before we say done. */
export async function syncDevice(device: string): Promise<void> {
  try {
    const handle = await open(device, 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw ioError('flush the writes to', device, error);
  }
}
