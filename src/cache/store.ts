import { createWriteStream, statSync } from 'node:fs';
import { constants } from 'node:fs';
import { copyFile, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { sha256File, sha256Hex } from '../library/hash.js';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { CapmediaError, fail, ioError } from '../errors/index.js';
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

  constructor(readonly root: string) {}

  /** The download of a blob, resumed from what an earlier attempt (or run) left. */
  openPartial(sha256: string, size: number): Promise<PartialBlob> {
    return PartialBlob.open(this.path(sha256), sha256, size);
  }

  path(sha256: string): string {
    return join(this.root, sha256.slice(0, 2), sha256);
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
   * A blob on a local file system (a file: distribution point). A large one is
   * copied by the kernel (copy_file_range, or a reflink where the file system
   * can) and hashed from the page cache; a small one is read once, hashed, and
   * the same bytes written: for thousands of small files the number of
   * file-system calls is the cost. The caller has checked the store.
   */
  async ingestLocalFile(sha256: string, size: number, source: string, what: string): Promise<void> {
    const target = this.path(sha256);
    const temp = `${target}.${randomBytes(6).toString('hex')}.partial`;
    try {
      await this.ensureFolder(dirname(target));
      if (size <= SMALL_BLOB) {
        const bytes = await readFile(source);
        checkLocalCopy(what, sha256, size, { sha256: sha256Hex(bytes), size: bytes.length });
        await writeFile(temp, bytes, { flag: 'wx' });
      } else {
        await copyFile(source, temp, constants.COPYFILE_EXCL | constants.COPYFILE_FICLONE);
        checkLocalCopy(what, sha256, size, await sha256File(temp));
      }
      await rename(temp, target);
    } catch (error) {
      await rm(temp, { force: true });
      if (error instanceof CapmediaError) throw error;
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'EACCES' || code === 'EPERM') throw ioError('read', source, error);
      throw ioError('store', target, error);
    }
  }

  /** The 256 fan-out folders are made once per run, not once per blob. */
  private readonly folders = new Set<string>();
  private async ensureFolder(folder: string): Promise<void> {
    if (this.folders.has(folder)) return;
    await mkdir(folder, { recursive: true });
    this.folders.add(folder);
  }
}

/** Read whole and hashed in memory; larger blobs are copied by the kernel. */
const SMALL_BLOB = 1 << 20;

function checkLocalCopy(what: string, sha256: string, size: number, actual: { sha256: string; size: number }): void {
  if (actual.size !== size || actual.sha256 !== sha256)
    throw fail('localBlobCorrupt', { what, bytes: actual.size, size, actual: actual.sha256, expected: sha256 });
}
