import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { CapmediaError, ioError } from '../errors.js';
import { hashingPassThrough } from '../library/verify-stream.js';
import { PartialBlob } from './partial.js';
import type { FetchProgress } from './fetch.js';

/**
 * Content-addressed store (Bazel's cas/): blobs named by their sha256, written
 * temp-then-rename so a crash never leaves a half blob under a real name.
 */
export class ContentStore {
  /** Who shows download progress (the stage task); fetches report to it. */
  onProgress?: (progress: FetchProgress) => void;

  constructor(readonly root: string) {}

  /** The download of a blob, resumed from what an earlier attempt (or run) left. */
  openPartial(sha256: string, size: number): Promise<PartialBlob> {
    return PartialBlob.open(this.path(sha256), sha256, size);
  }

  path(sha256: string): string {
    return join(this.root, sha256.slice(0, 2), sha256);
  }

  async has(sha256: string, size: number): Promise<boolean> {
    try {
      return (await stat(this.path(sha256))).size === size;
    } catch {
      return false;
    }
  }

  /** Streams a body into the store, verifying size and hash before it gets its name. */
  async ingest(sha256: string, size: number, open: () => Promise<Readable>, what: string): Promise<void> {
    if (await this.has(sha256, size)) return;
    const target = this.path(sha256);
    const temp = `${target}.${randomBytes(6).toString('hex')}.partial`;
    try {
      await mkdir(dirname(target), { recursive: true });
      await pipeline(await open(), hashingPassThrough(sha256, size, what), createWriteStream(temp, { flags: 'wx' }));
      await rename(temp, target);
    } catch (error) {
      await rm(temp, { force: true });
      if (error instanceof CapmediaError) throw error;
      throw ioError('store', target, error);
    }
  }

  /**
   * Copies a blob out while hashing it: a blob damaged in the cache is caught
   * here, removed, and reported as HASH_MISMATCH so the caller fetches it again.
   */
  async copyVerified(sha256: string, size: number, destination: string): Promise<void> {
    const source = this.path(sha256);
    try {
      await mkdir(dirname(destination), { recursive: true });
      await pipeline(createReadStream(source), hashingPassThrough(sha256, size, `cached copy of ${destination}`), createWriteStream(destination));
    } catch (error) {
      if (error instanceof CapmediaError && error.code === 'HASH_MISMATCH') {
        await rm(source, { force: true });
        await rm(destination, { force: true });
      }
      if (error instanceof CapmediaError) throw error;
      throw ioError('copy from the cache to', destination, error);
    }
  }
}
