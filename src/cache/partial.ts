import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat, truncate, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CapmediaError, ioError } from '../errors/index.js';
import { isProcessAlive as isAlive } from '../tools/process.js';

/** Errors of the local disk (full, read-only): no other distribution point can fix them. */
const localFailures = new WeakSet<object>();
export const isLocalFailure = (error: unknown): boolean => typeof error === 'object' && error !== null && localFailures.has(error);

/**
 * A blob being downloaded: the bytes so far live in `<sha>.<pid>.part` beside
 * the blob, so a retry (or the next run, after a crash) resumes instead of
 * starting over. The pid names the one writer; a partial whose process is
 * gone is adopted by the next fetch of that blob.
 */
export class PartialBlob {
  private spent = false;

  private constructor(
    readonly path: string,
    readonly target: string,
    readonly sha256: string,
    readonly size: number,
    public bytes: number,
    private readonly hash: Hash,
  ) {}

  static async open(target: string, sha256: string, size: number): Promise<PartialBlob> {
    const own = `${target}.${process.pid}.part`;
    const hash = createHash('sha256');
    try {
      await mkdir(dirname(target), { recursive: true });
      if (!(await exists(own))) await adoptOrphan(dirname(target), sha256, own);
      const info = await stat(own).catch(() => undefined);
      if (info && info.size > size) await truncate(own, 0);
      // The hash state cannot be saved, so the bytes already held are hashed again (a local read).
      const bytes = info && info.size <= size ? await hashFile(own, hash) : 0;
      return new PartialBlob(own, target, sha256, size, bytes, hash);
    } catch (error) {
      throw local(ioError('resume the download into', own, error));
    }
  }

  /**
   * Appends the body `openBody` returns, opened only once the file is ready
   * so no error of the body goes unheard. After a failure this object is
   * spent: open the partial again to resume.
   */
  async append(openBody: () => Promise<Readable>, onBytes?: (bytes: number) => void): Promise<void> {
    this.spent = true;
    let diskError: unknown;
    const handle = await open(this.path, 'a').catch((error) => Promise.reject(local(ioError('store', this.target, error))));
    // One stage that hashes and writes: every stream hop counts at network speed.
    const sink = new Writable({
      highWaterMark: 4 << 20,
      writev: (chunks, callback) => {
        const buffers = chunks.map(({ chunk }) => chunk as Buffer);
        for (const buffer of buffers) {
          if (this.bytes + buffer.length > this.size) {
            callback(
              new CapmediaError(
                'HASH_MISMATCH',
                `The download of ${this.sha256.slice(0, 12)}… is corrupt: it is longer than the ${this.size} bytes the manifest says.`,
              ),
            );
            return;
          }
          this.hash.update(buffer);
          this.bytes += buffer.length;
        }
        onBytes?.(this.bytes);
        writeAll(handle, buffers).then(
          () => callback(),
          (error) => callback((diskError = error)),
        );
      },
    });
    try {
      await pipeline(await openBody(), sink);
    } catch (error) {
      if (diskError) throw local(ioError('store', this.target, diskError));
      throw error;
    } finally {
      await handle.close();
    }
    this.spent = false;
  }

  /** Gives the blob its name if, and only if, every byte is there and hashes right. */
  async commit(what: string): Promise<void> {
    if (this.spent || this.bytes !== this.size)
      throw new CapmediaError('DOWNLOAD_INTERRUPTED', `The ${what} is incomplete: ${this.bytes} of ${this.size} bytes.`);
    this.spent = true;
    const actual = this.hash.digest('hex');
    if (actual !== this.sha256) {
      await this.discard();
      throw new CapmediaError(
        'HASH_MISMATCH',
        `The ${what} is corrupt: got ${this.bytes} bytes with sha256 ${actual.slice(0, 16)}…, expected sha256 ${this.sha256.slice(0, 16)}….`,
        {
          hint: 'The copy on the distribution point is damaged or was changed after publishing; re-publish the package.',
        },
      );
    }
    try {
      await rename(this.path, this.target);
    } catch (error) {
      throw local(ioError('store', this.target, error));
    }
  }

  discard(): Promise<void> {
    return rm(this.path, { force: true });
  }
}

/** writev may write less than asked (a full disk shows up on the next call). */
async function writeAll(handle: FileHandle, buffers: Buffer[]): Promise<void> {
  const pending = buffers.filter((b) => b.length > 0);
  while (pending.length) {
    let { bytesWritten } = await handle.writev(pending);
    if (bytesWritten === 0) throw Object.assign(new Error('the disk accepted no more bytes'), { code: 'EIO' });
    while (pending.length && bytesWritten >= pending[0].length) bytesWritten -= pending.shift()!.length;
    if (bytesWritten > 0) pending[0] = pending[0].subarray(bytesWritten);
  }
}

function local(error: CapmediaError): CapmediaError {
  localFailures.add(error);
  return error;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

async function hashFile(path: string, hash: Hash): Promise<number> {
  let bytes = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 4 << 20 })) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return bytes;
}

/** Takes over a partial left by a process that no longer runs; rename makes the take-over atomic. */
async function adoptOrphan(dir: string, sha256: string, own: string): Promise<void> {
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const match = /^([0-9a-f]{64})\.(\d+)\.part$/.exec(name);
    if (!match || match[1] !== sha256 || isAlive(Number(match[2]))) continue;
    if (
      await rename(join(dir, name), own).then(
        () => true,
        () => false,
      )
    )
      return;
  }
}
