import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { fail } from '../errors/index.js';

/**
 * sha256 of a byte stream, fed in order. Large streams are hashed on another
 * core: the main thread only copies (or reads) bytes into 1 MiB slabs and
 * hands them over, so receiving and writing never wait for the hash.
 */
export interface Sha256Sink {
  /** Takes the bytes (hashed or copied before it resolves): the caller may reuse `chunk` once it has. */
  update(chunk: Uint8Array): Promise<void>;
  /** Reads straight into a slab (no copy on this thread): `read` fills the buffer it gets and says how many bytes. */
  fill(read: (slab: Buffer) => Promise<number>): Promise<number>;
  /**
   * A slab of this sink's own to fill at leisure (a download gathering network chunks, written to disk before it is
   * hashed): plain memory, so filling it is a plain memcpy. It waits while the stream has all its slabs out. One take
   * at a time; do not mix with `update`/`fill` on one sink.
   */
  takeSlab(): Promise<Buffer>;
  /** Hashes the first `length` bytes of a slab from `takeSlab`, in the order submitted; the slab is the sink's again. */
  submitSlab(slab: Buffer, length: number): void;
  digest(): Promise<string>;
  /** Gives up the hash (a failed transfer); a digest after this is an error. */
  close(): void;
}

/** Below this a thread hop costs more than the hash itself. */
const OFF_THREAD_FROM = 8 << 20;
const SLAB = 1 << 20;
/** Slabs one stream may have in flight: the worker's backlog, and this stream's memory (4 MiB). */
const SLABS_PER_STREAM = 4;
/** Finished streams whose memory is kept for the next (the downloads that run at once). */
const SPARE_STREAMS = 8;

export function createSha256(expectedBytes: number): Sha256Sink {
  return expectedBytes >= OFF_THREAD_FROM ? new OffThreadSha256() : new InlineSha256(expectedBytes);
}

class InlineSha256 implements Sha256Sink {
  private readonly hash = createHash('sha256');
  private slab: Buffer | undefined;
  private readonly spare: Buffer[] = [];

  /** A small blob gets a slab its size, not a MiB. */
  constructor(private readonly expectedBytes = SLAB) {}

  async update(chunk: Uint8Array): Promise<void> {
    this.hash.update(chunk);
  }

  async takeSlab(): Promise<Buffer> {
    return this.spare.pop() ?? Buffer.allocUnsafeSlow(Math.max(1, Math.min(SLAB, this.expectedBytes)));
  }

  submitSlab(slab: Buffer, length: number): void {
    this.hash.update(slab.subarray(0, length));
    this.spare.push(slab);
  }

  async fill(read: (slab: Buffer) => Promise<number>): Promise<number> {
    this.slab ??= Buffer.allocUnsafe(SLAB);
    const bytes = await read(this.slab);
    this.hash.update(this.slab.subarray(0, bytes));
    return bytes;
  }

  async digest(): Promise<string> {
    return this.hash.digest('hex');
  }

  close(): void {}
}

class OffThreadSha256 implements Sha256Sink {
  private readonly thread = hashThreads.pick();
  private readonly id = this.thread.open(this);
  /**
   * The stream's slabs, shared with the worker: handing a slab over is a message naming it (transferring an
   * ArrayBuffer back and forth instead makes a new buffer object each way, and garbage-collector work with it).
   */
  private memory: SharedArrayBuffer | undefined;
  private readonly free: number[] = [];
  private current: number | undefined;
  private filled = 0;
  private waiting: { resolve: () => void; reject: (error: unknown) => void } | undefined;
  private result: { resolve: (hex: string) => void; reject: (error: unknown) => void } | undefined;
  private failure: unknown;
  /**
   * Slabs for takeSlab: plain ArrayBuffers moved to the worker and back. Copying network chunks into the shared
   * slabs goes through V8's relaxed-atomic copy (relaxed_memmove), not memcpy: at network speed it cost more than
   * half as much CPU as the hash itself (perf, 8 downloads of 128 MiB).
   */
  private readonly own: Buffer[] = [];
  private owned = 0;
  private lending: { resolve: () => void; reject: (error: unknown) => void } | undefined;

  async update(chunk: Uint8Array): Promise<void> {
    for (let offset = 0; offset < chunk.length;) {
      const slab = await this.currentSlab();
      const count = Math.min(chunk.length - offset, SLAB - this.filled);
      slab.set(chunk.subarray(offset, offset + count), this.filled);
      this.filled += count;
      offset += count;
      if (this.filled === SLAB) this.send();
    }
  }

  async fill(read: (slab: Buffer) => Promise<number>): Promise<number> {
    if (this.filled > 0) this.send();
    const bytes = (this.filled = await read(await this.currentSlab()));
    this.send();
    return bytes;
  }

  async takeSlab(): Promise<Buffer> {
    this.throwIfFailed();
    if (!this.own.length && this.owned < SLABS_PER_STREAM) {
      this.owned++;
      return spares.takeSlab() ?? Buffer.allocUnsafeSlow(SLAB);
    }
    if (!this.own.length) await new Promise<void>((resolve, reject) => (this.lending = { resolve, reject }));
    return this.own.pop()!;
  }

  submitSlab(slab: Buffer, length: number): void {
    this.throwIfFailed();
    this.thread.post({ type: 'moved', id: this.id, buffer: slab.buffer, length }, [slab.buffer as ArrayBuffer]);
  }

  async digest(): Promise<string> {
    if (this.filled > 0) this.send();
    this.throwIfFailed();
    return new Promise((resolve, reject) => {
      this.result = { resolve, reject };
      this.thread.post({ type: 'digest', id: this.id });
    });
  }

  close(): void {
    this.failure ??= fail('hashAbandoned', {});
    this.thread.close(this.id);
  }

  /** From the worker: a slab hashed and free again, or the digest. */
  receive(message: WorkerReply): void {
    if (message.type === 'free') {
      this.free.push(message.slab);
      const waiting = this.waiting;
      this.waiting = undefined;
      waiting?.resolve();
      return;
    }
    if (message.type === 'returned') {
      this.own.push(Buffer.from(message.buffer));
      const lending = this.lending;
      this.lending = undefined;
      lending?.resolve();
      return;
    }
    this.recycle();
    this.result?.resolve(message.hex);
  }

  /** Digested: the worker holds none of this stream's memory any more, so the next stream may have it. */
  private recycle(): void {
    if (this.memory) spares.giveMemory(this.memory);
    this.memory = undefined;
    for (const slab of this.own.splice(0)) spares.giveSlab(slab);
  }

  /** The worker died: nothing in flight will come back. */
  abort(error: unknown): void {
    this.failure = error;
    this.waiting?.reject(error);
    this.lending?.reject(error);
    this.result?.reject(error);
  }

  private async currentSlab(): Promise<Buffer> {
    this.throwIfFailed();
    if (!this.memory) {
      this.memory = spares.takeMemory() ?? new SharedArrayBuffer(SLAB * SLABS_PER_STREAM);
      this.free.push(...Array.from({ length: SLABS_PER_STREAM }, (_, i) => i));
      this.thread.share(this.id, this.memory);
    }
    if (this.current === undefined) {
      if (!this.free.length) await new Promise<void>((resolve, reject) => (this.waiting = { resolve, reject }));
      this.current = this.free.pop()!;
    }
    return Buffer.from(this.memory, this.current * SLAB, SLAB);
  }

  private send(): void {
    this.thread.post({ type: 'data', id: this.id, slab: this.current!, length: this.filled });
    this.current = undefined;
    this.filled = 0;
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure;
  }
}

/**
 * Slab memory of finished streams, for the next ones: a build hashes hundreds of large blobs one after another, and
 * 4 MiB of fresh memory per blob stays resident until a garbage collection happens to free it (+35 MiB peak RSS).
 */
const spares = new (class Spares {
  private readonly memories: SharedArrayBuffer[] = [];
  private readonly slabs: Buffer[] = [];

  takeMemory(): SharedArrayBuffer | undefined {
    return this.memories.pop();
  }

  giveMemory(memory: SharedArrayBuffer): void {
    if (this.memories.length < SPARE_STREAMS) this.memories.push(memory);
  }

  takeSlab(): Buffer | undefined {
    return this.slabs.pop();
  }

  giveSlab(slab: Buffer): void {
    if (this.slabs.length < SPARE_STREAMS * SLABS_PER_STREAM) this.slabs.push(slab);
  }
})();

type WorkerReply =
  | { type: 'free'; id: number; slab: number }
  | { type: 'returned'; id: number; buffer: ArrayBuffer }
  | { type: 'digest'; id: number; hex: string };

/**
 * A worker thread hashing the streams given to it, each in the order of its bytes. It keeps the process alive only
 * while it owes a reply, so an abandoned stream never stops the CLI from exiting.
 */
class HashThread {
  private worker: Worker | undefined;
  private readonly streams = new Map<number, OffThreadSha256>();
  private nextId = 1;
  private owed = 0;

  /** Streams open on this thread: the pool gives a new stream to a thread with none. */
  get load(): number {
    return this.streams.size;
  }

  open(stream: OffThreadSha256): number {
    const id = this.nextId++;
    this.streams.set(id, stream);
    return id;
  }

  close(id: number): void {
    if (this.streams.delete(id) && this.worker) this.worker.postMessage({ type: 'drop', id });
  }

  /** A stream's slabs, made known to the worker once. */
  share(id: number, memory: SharedArrayBuffer): void {
    this.ensureWorker().postMessage({ type: 'open', id, memory });
  }

  /** A message the worker answers (a slab free again or moved back, a digest); `transfer` moves buffers along. */
  post(message: object, transfer?: ArrayBuffer[]): void {
    const worker = this.ensureWorker();
    if (this.owed++ === 0) worker.ref();
    worker.postMessage(message, transfer);
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(WORKER_SOURCE, { eval: true });
    worker.unref();
    worker.on('message', (message: WorkerReply) => {
      if (--this.owed === 0) worker.unref();
      this.streams.get(message.id)?.receive(message);
      if (message.type === 'digest') this.streams.delete(message.id);
    });
    worker.on('error', (error) => this.lose(worker, fail('hashThreadFailed', { reason: error.message }, { cause: error })));
    worker.on('exit', (code) => this.lose(worker, fail('hashThreadFailed', { reason: `it exited with code ${code}` })));
    return (this.worker = worker);
  }

  private lose(worker: Worker, error: unknown): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    this.owed = 0;
    for (const stream of this.streams.values()) stream.abort(error);
    this.streams.clear();
  }
}

/**
 * A volume set writes two images at once, and one thread hashed them slower than xorriso wrote; two threads hash
 * ~3.8 GB/s, more than a disk or a network gives a build. More would only cost memory (a worker is ~10 MB) on
 * machines with many cores.
 */
const MAX_HASH_THREADS = Math.min(2, availableParallelism());

/**
 * The hashing threads of the process, started as streams need them: a new stream goes to a thread with none, or to a
 * new thread while there may be more, else to the least loaded. One stream alone (a download, an image) starts one.
 */
const hashThreads = new (class HashThreads {
  private readonly threads: HashThread[] = [];

  pick(): HashThread {
    const idle = this.threads.find((thread) => thread.load === 0);
    if (idle) return idle;
    if (this.threads.length < MAX_HASH_THREADS) {
      const thread = new HashThread();
      this.threads.push(thread);
      return thread;
    }
    return this.threads.reduce((least, thread) => (thread.load < least.load ? thread : least));
  }
})();

/**
 * The worker, as source: it runs the same from src/ (tsx, whose hooks do not reach workers) and from the bundle, and as
 * CommonJS or as a module (an eval worker inherits --input-type), hence getBuiltinModule rather than require or import.
 */
const WORKER_SOURCE = `
const { parentPort } = process.getBuiltinModule('node:worker_threads');
const { createHash } = process.getBuiltinModule('node:crypto');
const hashes = new Map();
const memories = new Map();
parentPort.on('message', (m) => {
  if (m.type === 'open') {
    memories.set(m.id, m.memory);
  } else if (m.type === 'data') {
    let hash = hashes.get(m.id);
    if (!hash) hashes.set(m.id, (hash = createHash('sha256')));
    hash.update(new Uint8Array(memories.get(m.id), m.slab * ${SLAB}, m.length));
    parentPort.postMessage({ type: 'free', id: m.id, slab: m.slab });
  } else if (m.type === 'moved') {
    let hash = hashes.get(m.id);
    if (!hash) hashes.set(m.id, (hash = createHash('sha256')));
    hash.update(new Uint8Array(m.buffer, 0, m.length));
    parentPort.postMessage({ type: 'returned', id: m.id, buffer: m.buffer }, [m.buffer]);
  } else if (m.type === 'digest') {
    const hash = hashes.get(m.id) ?? createHash('sha256');
    hashes.delete(m.id);
    memories.delete(m.id);
    parentPort.postMessage({ type: 'digest', id: m.id, hex: hash.digest('hex') });
  } else if (m.type === 'drop') {
    hashes.delete(m.id);
    memories.delete(m.id);
  }
});
`;
