import { mkdir, open, readdir, rename, rm, stat, truncate, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { finished, type Readable } from 'node:stream';
import { CapmediaError, fail, ioError } from '../errors/index.js';
import { isProcessAlive as isAlive } from '../tools/process.js';
import { createSha256, type Sha256Sink } from '../workers/sha256.js';
import { WriteThenHash, type AppendBytes } from './write-then-hash.js';

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
    private readonly hash: Sha256Sink,
  ) {}

  static async open(target: string, sha256: string, size: number): Promise<PartialBlob> {
    const own = `${target}.${process.pid}.part`;
    const hash = createSha256(size);
    try {
      await mkdir(dirname(target), { recursive: true });
      if (!(await exists(own))) await adoptOrphan(dirname(target), sha256, own);
      const info = await stat(own).catch(() => undefined);
      if (info && info.size > size) await truncate(own, 0);
      // The hash state cannot be saved, so the bytes already held are hashed again (a local read).
      const bytes = info && info.size <= size ? await hashFile(own, hash) : 0;
      return new PartialBlob(own, target, sha256, size, bytes, hash);
    } catch (error) {
      hash.close();
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
    const append = appender(handle, this.target);
    const noted = (bytes: Buffer) => append(bytes).catch((error) => Promise.reject((diskError = error)));
    const writer = new WriteThenHash(noted, this.hash, (bytes) => {
      this.bytes += bytes;
      onBytes?.(this.bytes);
    });
    try {
      await receive(await openBody(), writer, this.size - this.bytes, () =>
        fail('downloadTooLong', { sha256: this.sha256, size: this.size }),
      );
    } catch (error) {
      this.hash.close();
      if (diskError) throw local(diskError instanceof CapmediaError ? diskError : ioError('store', this.target, diskError));
      throw error;
    } finally {
      await writer.settled();
      await handle.close();
    }
    this.spent = false;
  }

  /** Gives the blob its name if, and only if, every byte is there and hashes right. */
  async commit(what: string): Promise<void> {
    if (this.spent || this.bytes !== this.size) {
      this.hash.close();
      throw fail('downloadIncomplete', { what, bytes: this.bytes, size: this.size });
    }
    this.spent = true;
    const actual = await this.hash.digest();
    if (actual !== this.sha256) {
      await this.discard();
      throw fail('blobCorrupt', { what, bytes: this.bytes, actual, expected: this.sha256 });
    }
    try {
      await rename(this.path, this.target);
    } catch (error) {
      throw local(ioError('store', this.target, error));
    }
  }

  /** Gives up this attempt: the bytes stay for the next one, which hashes them again. */
  release(): void {
    this.spent = true;
    this.hash.close();
  }

  discard(): Promise<void> {
    this.hash.close();
    return rm(this.path, { force: true });
  }
}

/**
 * Feeds the body to the writer: plain 'data' events, paused while the writer holds too much, no stream of our own in
 * between: at network speed every hop and every promise a chunk counts.
 */
function receive(body: Readable, writer: WriteThenHash, room: number, tooLong: () => Error): Promise<void> {
  return new Promise((resolve, reject) => {
    let stopped = false;
    const stop = (error: unknown) => {
      stopped = true;
      reject(error);
      body.destroy();
    };
    body.on('data', (chunk: Buffer) => {
      if (writer.received + chunk.length > room) return stop(tooLong());
      try {
        if (!writer.push(chunk)) {
          body.pause();
          writer.ready().then(() => body.resume(), stop);
        }
      } catch (error) {
        stop(error);
      }
    });
    finished(body, (error) => {
      if (stopped) return;
      // A cut or stalled body: what arrived is kept for the resume all the same.
      if (error)
        writer
          .end()
          .catch(() => undefined)
          .then(() => reject(error));
      else writer.end().then(resolve, reject);
    });
  });
}

/** A write may take less than asked (a full disk shows up on the next call). */
function appender(handle: FileHandle, target: string): AppendBytes {
  return async (bytes) => {
    for (let offset = 0; offset < bytes.length;) {
      const { bytesWritten } = await handle.write(bytes, offset, bytes.length - offset);
      if (bytesWritten === 0) throw fail('diskAcceptsNoMore', { path: target });
      offset += bytesWritten;
    }
  };
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

/** Reads the kept bytes straight into the hash's slabs: no copy on this thread. */
async function hashFile(path: string, hash: Sha256Sink): Promise<number> {
  const handle = await open(path, 'r');
  let bytes = 0;
  try {
    for (;;) {
      const read = await hash.fill(async (slab) => (await handle.read(slab, 0, slab.length, bytes)).bytesRead);
      if (read === 0) return bytes;
      bytes += read;
    }
  } finally {
    await handle.close();
  }
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
