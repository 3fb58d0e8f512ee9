import type { Sha256Sink } from '../workers/sha256.js';

/** The partial file, as this module uses it. */
export interface AppendFile {
  /** Appends every byte of `buffers`, or fails. */
  append(buffers: Buffer[]): Promise<void>;
  /** Reads into `into` from `position`; says how many bytes (at least one, or it fails). */
  readAt(into: Buffer, position: number): Promise<number>;
}

/** Bytes gathered before one write: one system call a MiB instead of one a network chunk. */
const BATCH = 1 << 20;
/** Bytes one download holds between arriving and being hashed: its memory, whatever the disk's speed. */
export const MAX_BYTES_HELD = 4 << 20;

/**
 * Network chunks written in 1 MiB batches, then read back from the page cache into the hash's slabs. This thread
 * copies no byte: the kernel copies into the file and into the hash's memory, on the thread pool, and another core
 * hashes. (Copying each chunk into the hash's shared memory here cost as much CPU as the hash itself.) When too much
 * is held, `push` says so and the source waits for `ready()`.
 */
export class WriteThenHash {
  /** Bytes pushed, bytes on disk and hashed, and the most ever held between the two. */
  received = 0;
  done = 0;
  peakBytesHeld = 0;
  private batch: Buffer[] = [];
  private batchBytes = 0;
  private work: Promise<void> = Promise.resolve();
  private failure: unknown;
  private waiter: { resolve: () => void; reject: (error: unknown) => void } | undefined;

  /** `start`: the file's length before the first push (a resumed download). */
  constructor(
    private readonly file: AppendFile,
    private readonly hash: Sha256Sink,
    private readonly start: number,
    private readonly onDone?: (bytes: number) => void,
  ) {}

  /** Takes a chunk (held, not copied: the caller must not reuse it); false: wait for `ready()` before the next. */
  push(chunk: Buffer): boolean {
    if (this.failure) throw this.failure;
    this.received += chunk.length;
    this.peakBytesHeld = Math.max(this.peakBytesHeld, this.received - this.done);
    this.batch.push(chunk);
    this.batchBytes += chunk.length;
    if (this.batchBytes >= BATCH) this.flush();
    return !this.full();
  }

  /** Resolves once the bytes held are few enough to take more. */
  ready(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (!this.full()) return Promise.resolve();
    return new Promise((resolve, reject) => (this.waiter = { resolve, reject }));
  }

  /** After the last chunk: resolves when every byte is on disk and hashed. */
  async end(): Promise<void> {
    if (this.batchBytes > 0) this.flush();
    await this.work;
    if (this.failure) throw this.failure;
  }

  /** Resolves when no write or read runs any more, failed or not (before the file is closed). */
  settled(): Promise<void> {
    return this.work;
  }

  private full(): boolean {
    return this.received - this.done > MAX_BYTES_HELD;
  }

  private flush(): void {
    const buffers = this.batch;
    const length = this.batchBytes;
    this.batch = [];
    this.batchBytes = 0;
    this.work = this.work
      .then(async () => {
        if (this.failure) return;
        const position = this.start + this.done;
        await this.file.append(buffers);
        await this.hashBack(position, length);
        this.done += length;
        this.onDone?.(length);
        if (!this.full()) this.wake();
      })
      .catch((error) => this.fail(error));
  }

  /** The bytes just written, from the page cache straight into the hash's slabs. */
  private async hashBack(position: number, length: number): Promise<void> {
    for (let offset = 0; offset < length;) {
      const read = await this.hash.fill((slab) =>
        this.file.readAt(slab.subarray(0, Math.min(slab.length, length - offset)), position + offset),
      );
      offset += read;
    }
  }

  private wake(): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.resolve();
  }

  private fail(error: unknown): void {
    this.failure ??= error;
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.reject(this.failure);
  }
}
