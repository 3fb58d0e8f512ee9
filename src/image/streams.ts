import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { Transform, Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { execa } from 'execa';
import { CapmediaError, fail } from '../errors/index.js';
import { toolPackage } from '../tools/packages.js';

/** A pass-through that measures what flows: byte count and sha256. */
export class Measure extends Transform {
  bytes = 0;
  private readonly hash = createHash('sha256');

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    this.bytes += chunk.length;
    this.hash.update(chunk);
    this.push(chunk);
    callback();
  }

  digest(): string {
    return this.hash.digest('hex');
  }
}

/** Consumes a stream, returning its size and sha256. */
export async function measure(input: Readable): Promise<{ bytes: number; sha256: string }> {
  const meter = new Measure();
  await pipeline(input, meter, new Writable({ write: (_chunk, _encoding, callback) => callback() }));
  return { bytes: meter.bytes, sha256: meter.digest() };
}

/**
 * Writes a stream into a file from a byte offset. With `sparse`, blocks of
 * zeros are skipped rather than written: the target is a fresh, zero-filled
 * (sparse) file, so a restored 100 GB disk with 10 GB of data takes 10 GB.
 */
export function positionalWriter(handle: FileHandle, offset: number, options: { sparse: boolean }): Writable & { written: () => number } {
  let position = offset;
  const writer = new Writable({
    highWaterMark: 1024 * 1024,
    write(chunk: Buffer, _encoding, callback) {
      const at = position;
      position += chunk.length;
      if (options.sparse && isZero(chunk)) return callback();
      handle.write(chunk, 0, chunk.length, at).then(() => callback(), callback);
    },
  });
  return Object.assign(writer, { written: () => position - offset });
}

function isZero(chunk: Buffer): boolean {
  for (let i = 0; i < chunk.length; i += 8) {
    if (i + 8 <= chunk.length ? chunk.readBigUInt64LE(i) !== 0n : chunk.subarray(i).some((byte) => byte !== 0)) return false;
  }
  return true;
}

/**
 * Pipes input through `zstd -d` into output. Not through tools/exec, which
 * buffers output in memory: a partition can be far larger than RAM.
 * Arguments are an array, never a shell line. zstd checks each frame's
 * checksum, so damaged content fails here even without the stored hash.
 */
export async function zstdDecompress(input: Readable, output: Writable, through?: Transform): Promise<void> {
  const child = execa('zstd', ['-d', '-c', '-q'], { buffer: false, stdin: 'pipe', stdout: 'pipe', stderr: 'pipe' });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  // zstd stops reading when the input is damaged; that EPIPE is reported as zstd's failure below.
  const feeding = (through ? pipeline(input, through, child.stdin!) : pipeline(input, child.stdin!)).catch(
    (error: NodeJS.ErrnoException) => (error.code === 'EPIPE' ? undefined : Promise.reject(error)),
  );
  const draining = pipeline(child.stdout!, output);
  const [fed, drained, exited] = await Promise.allSettled([feeding, draining, child]);
  if (exited.status === 'rejected') throw zstdError(exited.reason, stderr);
  if (fed.status === 'rejected') throw fed.reason;
  if (drained.status === 'rejected') throw drained.reason;
}

function zstdError(error: { code?: string; exitCode?: number }, stderr: string): CapmediaError {
  if (error.code === 'ENOENT') {
    return fail('programMissing', { program: 'zstd', pkg: toolPackage('zstd') });
  }
  const last = stderr.trim().split('\n').at(-1) || `exit ${error.exitCode ?? '?'}`;
  return fail('zstdFailed', { last }, { detail: stderr, cause: error });
}
