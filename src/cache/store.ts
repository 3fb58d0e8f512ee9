import { createWriteStream, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, sep } from 'node:path';
import { randomBytes } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { CapmediaError, ioError } from '../errors/index.js';
import { copyLargeBlob, copySmallBlob } from './local-copy.js';
import { hashingPassThrough } from '../library/verify-stream.js';
import { PartialBlob } from './partial.js';
import type { FetchProgress } from './progress.js';

/**
 * Content-addressed store (Bazel's cas/): blobs named by their sha256, written
 * temp-then-rename so a crash never leaves a half blob under a real name.
 */
export class ContentStore {
  /** Who shows download progress (the stage task); fetches report to it. */
  onProgress?: (progress: FetchProgress) => void;

  /** `root/`, normalized once: a blob's path is then two concatenations, asked for thousands of times a build. */
  private readonly prefix: string;

  constructor(readonly root: string) {
    this.prefix = join(root, sep);
  }

  /** The download of a blob, resumed from what an earlier attempt (or run) left. */
  openPartial(sha256: string, size: number): Promise<PartialBlob> {
    return PartialBlob.open(this.path(sha256), sha256, size);
  }

  path(sha256: string): string {
    return `${this.prefix}${sha256.slice(0, 2)}${sep}${sha256}`;
  }

  /**
   * For checking thousands of blobs in a row: a synchronous stat costs a few µs, an awaited one ~30 µs of this
   * thread's CPU (a promise and a thread-pool round trip each), which is most of a label-only rebuild's planning.
   */
  hasNow(sha256: string, size: number): boolean {
    try {
      return statSync(this.path(sha256), { throwIfNoEntry: false })?.size === size;
    } catch {
      return false;
    }
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
    const temp = this.tempPath(target);
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
   * A blob on a local file system (a file: distribution point), read once:
   * a small one in two awaited calls and the rest synchronous (for thousands
   * of small files the number of awaited calls is the cost), a large one in
   * slabs hashed on another core.
   * Verified and marked verified before it gets its name. The caller has
   * checked the store.
   */
  async ingestLocalFile(sha256: string, size: number, source: string, what: string): Promise<void> {
    const target = this.path(sha256);
    const temp = this.tempPath(target);
    try {
      this.ensureFolder(dirname(target));
      if (size <= SMALL_BLOB) await copySmallBlob(source, temp, { sha256, size, what });
      else await copyLargeBlob(source, temp, { sha256, size, what });
      renameSync(temp, target);
    } catch (error) {
      rmSync(temp, { force: true });
      if (error instanceof CapmediaError) throw error;
      throw ioError('store', target, error);
    }
  }

  /** One random prefix per process and a counter: unique without random bytes per blob. */
  private readonly tempPrefix = randomBytes(6).toString('hex');
  private temps = 0;
  private tempPath(target: string): string {
    return `${target}.${this.tempPrefix}-${(this.temps++).toString(36)}.partial`;
  }

  /** The 256 fan-out folders are made once per run, not once per blob. */
  private readonly folders = new Set<string>();
  private ensureFolder(folder: string): void {
    if (this.folders.has(folder)) return;
    mkdirSync(folder, { recursive: true });
    this.folders.add(folder);
  }
}

/** Read whole and hashed on this thread; larger blobs go through slabs hashed on another core. */
export const SMALL_BLOB = 1 << 20;
