import type { Sha256Sink } from '../workers/sha256.js';

/** The partial file, as this module uses it: appends every byte of `bytes`, or fails. */
export type AppendBytes = (bytes: Buffer) => Promise<void>;

/** Slabs one download holds at most between arriving and being on disk (the one filling, those waiting to be written). */
const SLABS_HELD = 4;
/** So the bytes one download holds stay below this (and one network chunk), whatever the disk's speed. */
export const MAX_BYTES_HELD = SLABS_HELD << 20;

/**
 * Network chunks gathered into the hash's 1 MiB slabs: each byte is copied once on this thread (a memcpy), the disk
 * gets one write per slab, and a slab goes to the hash (another core) once it is on disk. When no slab is free (a
 * slow disk or hash) `push` says so and the source must wait for `ready()`.
 */
export class WriteThenHash {
  /** Bytes pushed, bytes on disk, and the most ever held between the two. */
  received = 0;
  done = 0;
  peakBytesHeld = 0;
  private slab: Buffer | undefined;
  private filled = 0;
  private held = 0;
  /** What arrived while no slab was free. */
  private rest: Buffer | undefined;
  private taking = false;
  private writing: Promise<void> = Promise.resolve();
  private failure: unknown;
  private waiter: { resolve: () => void; reject: (error: unknown) => void } | undefined;

  constructor(
    private readonly append: AppendBytes,
    private readonly hash: Sha256Sink,
    private readonly onDone?: (bytes: number) => void,
  ) {
    this.refill();
  }

  /** Takes a chunk (copied, or held until `ready()` resolves); false: wait for `ready()` before the next. */
  push(chunk: Buffer): boolean {
    if (this.failure) throw this.failure;
    this.received += chunk.length;
    this.peakBytesHeld = Math.max(this.peakBytesHeld, this.received - this.done);
    if (this.rest) {
      this.rest = Buffer.concat([this.rest, chunk]);
      return false;
    }
    return this.copyIn(chunk);
  }

  /** Resolves once what arrived while no slab was free is in a slab. */
  ready(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (!this.rest) return Promise.resolve();
    return new Promise((resolve, reject) => (this.waiter = { resolve, reject }));
  }

  /** After the last chunk: the partly filled slab goes out too; resolves when every byte is on disk (and handed to the hash). */
  async end(): Promise<void> {
    await this.ready();
    if (this.slab && this.filled > 0) this.flush();
    await this.writing;
    if (this.failure) throw this.failure;
  }

  /** Resolves when no write runs any more, failed or not (before the file is closed). */
  settled(): Promise<void> {
    return this.writing;
  }

  private copyIn(chunk: Buffer): boolean {
    for (let offset = 0; offset < chunk.length;) {
      if (!this.slab) {
        this.rest = offset ? chunk.subarray(offset) : chunk;
        this.refill();
        return false;
      }
      const count = chunk.copy(this.slab, this.filled, offset);
      this.filled += count;
      offset += count;
      if (this.filled === this.slab.length) this.flush();
    }
    return true;
  }

  private flush(): void {
    const slab = this.slab!;
    const length = this.filled;
    this.slab = undefined;
    this.filled = 0;
    this.writing = this.writing
      .then(async () => {
        if (this.failure) return;
        await this.append(slab.subarray(0, length));
        this.done += length;
        this.hash.submitSlab(slab, length);
        this.held--;
        this.onDone?.(length);
        this.refill();
      })
      .catch((error) => this.fail(error));
    this.refill();
  }

  /** Takes the next slab if there is room for one; bytes held back go into it first. */
  private refill(): void {
    if (this.slab || this.taking || this.failure || this.held >= SLABS_HELD) return;
    this.taking = true;
    this.held++;
    this.hash.takeSlab().then(
      (slab) => {
        this.taking = false;
        this.slab = slab;
        this.filled = 0;
        const rest = this.rest;
        this.rest = undefined;
        if (!rest || this.copyIn(rest)) this.wake();
      },
      (error) => this.fail(error),
    );
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
