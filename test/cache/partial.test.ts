import test from 'ava';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import { PartialBlob, isLocalFailure } from '../../src/cache/partial.js';
import { MAX_BYTES_HELD, WriteThenHash, type AppendBytes } from '../../src/cache/write-then-hash.js';
import { createSha256 } from '../../src/workers/sha256.js';
import { CapmediaError } from '../../src/errors/index.js';

const MiB = 2 ** 20;
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

async function tempDir(t: { teardown(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'capmedia-partial-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A file in memory whose appends take `msPerAppend` each (a slow disk), failing from append number `failAt` on. */
function memoryFile(msPerAppend: number, failAt = Infinity) {
  const parts: Buffer[] = [];
  let appends = 0;
  const append: AppendBytes = async (bytes) => {
    if (++appends >= failAt) throw new CapmediaError('IO', 'the test disk failed');
    await delay(msPerAppend);
    parts.push(Buffer.from(bytes));
  };
  return { append, bytes: () => Buffer.concat(parts), appends: () => appends };
}

/** Pushes `bytes` in 64 KiB chunks as fast as the writer takes them, waiting only when it says so. */
async function pushAll(writer: WriteThenHash, bytes: Buffer): Promise<void> {
  for (let offset = 0; offset < bytes.length; offset += 64 * 1024) {
    if (!writer.push(bytes.subarray(offset, offset + 64 * 1024))) await writer.ready();
  }
  await writer.end();
}

test('a slow disk holds the source back: bytes held stay bounded, every byte lands in order and is hashed', async (t) => {
  const bytes = randomBytes(24 * MiB + 123);
  const file = memoryFile(15);
  const hash = createSha256(bytes.length);
  const writer = new WriteThenHash(file.append, hash);
  await pushAll(writer, bytes);
  t.true(file.bytes().equals(bytes));
  t.is(await hash.digest(), sha256(bytes));
  t.is(writer.done, bytes.length);
  // At most the bound plus the chunk that crossed it, however far the disk falls behind a source that never waits.
  t.true(writer.peakBytesHeld <= MAX_BYTES_HELD + 64 * 1024, `held ${writer.peakBytesHeld} bytes`);
  t.true(writer.peakBytesHeld > MAX_BYTES_HELD, 'the disk was slow enough to reach the bound');
  // Batches of a MiB, not one write per network chunk.
  t.true(file.appends() <= 25, `${file.appends()} appends`);
});

test('a disk that fails stops the writer with its error, and nothing is written after it', async (t) => {
  const file = memoryFile(0, 3);
  const hash = createSha256(16 * MiB);
  const writer = new WriteThenHash(file.append, hash);
  const error = await t.throwsAsync(pushAll(writer, randomBytes(16 * MiB)));
  t.is(error?.message, 'the test disk failed');
  t.is(file.appends(), 3);
  t.is(file.bytes().length, 2 * MiB);
  await writer.settled();
  hash.close();
});

test('a download resumed at a kept prefix hashes the prefix and the rest as one blob', async (t) => {
  const dir = await tempDir(t);
  const bytes = randomBytes(9 * MiB + 5);
  const sha = sha256(bytes);
  const target = join(dir, sha);
  await writeFile(`${target}.${process.pid}.part`, bytes.subarray(0, 3 * MiB + 1));
  const partial = await PartialBlob.open(target, sha, bytes.length);
  t.is(partial.bytes, 3 * MiB + 1);
  const seen: number[] = [];
  await partial.append(
    async () => Readable.from([bytes.subarray(3 * MiB + 1, 5 * MiB), bytes.subarray(5 * MiB)]),
    (n) => seen.push(n),
  );
  t.is(partial.bytes, bytes.length);
  t.is(seen.at(-1), bytes.length, 'progress ends at the whole size');
  await partial.commit('the test blob');
  t.true((await readFile(target)).equals(bytes));
});

test('a body with wrong bytes fails with HASH_MISMATCH and leaves neither blob nor partial', async (t) => {
  const dir = await tempDir(t);
  const bytes = randomBytes(10 * MiB);
  const sha = sha256(bytes);
  const wrong = Buffer.from(bytes);
  wrong[7 * MiB] ^= 1;
  const partial = await PartialBlob.open(join(dir, sha), sha, bytes.length);
  // No progress callback: the bytes count all the same.
  await partial.append(async () => Readable.from([wrong]));
  t.is(partial.bytes, bytes.length);
  const error = await t.throwsAsync(partial.commit('the test blob'), { instanceOf: CapmediaError });
  t.is((error as CapmediaError).code, 'HASH_MISMATCH');
  t.deepEqual(await readdir(dir), []);
});

test('a body longer than the manifest says fails with HASH_MISMATCH before it is stored', async (t) => {
  const dir = await tempDir(t);
  const bytes = randomBytes(MiB);
  const sha = sha256(bytes);
  const partial = await PartialBlob.open(join(dir, sha), sha, bytes.length);
  const error = await t.throwsAsync(
    partial.append(async () => Readable.from([bytes, Buffer.from('more')])),
    { instanceOf: CapmediaError },
  );
  t.is((error as CapmediaError).code, 'HASH_MISMATCH');
  t.false(isLocalFailure(error));
  await partial.discard();
  t.deepEqual(await readdir(dir), []);
});

test('a body that breaks off keeps what arrived for the resume, and its error is the body’s', async (t) => {
  const dir = await tempDir(t);
  const bytes = randomBytes(3 * MiB);
  const sha = sha256(bytes);
  const partial = await PartialBlob.open(join(dir, sha), sha, bytes.length);
  // Sends a MiB and a bit, then breaks off (as a cut connection does once the consumer asks for more).
  let sent = false;
  const cut = new Readable({
    read() {
      if (sent) return this.destroy(new CapmediaError('DOWNLOAD_INTERRUPTED', 'cut'));
      sent = true;
      this.push(bytes.subarray(0, MiB + 17));
    },
  });
  const error = await t.throwsAsync(partial.append(async () => cut));
  t.is(error?.message, 'cut');
  t.false(isLocalFailure(error));
  const again = await PartialBlob.open(join(dir, sha), sha, bytes.length);
  t.is(again.bytes, MiB + 17, 'the bytes below a MiB batch were written too');
  await again.append(async () => Readable.from([bytes.subarray(MiB + 17)]));
  await again.commit('the test blob');
  t.true((await readFile(join(dir, sha))).equals(bytes));
});
