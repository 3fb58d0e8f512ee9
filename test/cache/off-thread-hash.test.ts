import test from 'ava';
import { createHash, randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { createSha256 } from '../../src/workers/sha256.js';
import { CapmediaError } from '../../src/errors/index.js';

const MiB = 2 ** 20;
const reference = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** Odd chunk sizes, so slabs fill across chunk borders and chunks across slab borders. */
function* chunksOf(bytes: Buffer): Generator<Buffer> {
  const sizes = [1, 65_536, 3 * MiB + 7, 17, MiB];
  for (let offset = 0, i = 0; offset < bytes.length; i++) {
    const size = sizes[i % sizes.length];
    yield bytes.subarray(offset, offset + size);
    offset += size;
  }
}

for (const size of [0, 1000, 8 * MiB - 1, 8 * MiB, 21 * MiB + 123]) {
  test(`update: ${size} bytes in odd chunks hash like createHash`, async (t) => {
    const bytes = randomBytes(size);
    const sink = createSha256(size);
    for (const chunk of chunksOf(bytes)) {
      // The sink has its own copy once update resolves: scribbling over the chunk must not change the hash.
      const copy = Buffer.from(chunk);
      await sink.update(chunk);
      chunk.fill(0xa5);
      copy.copy(chunk);
    }
    t.is(await sink.digest(), reference(bytes));
  });
}

test('fill: bytes read straight into slabs, mixed with update, hash in order', async (t) => {
  const bytes = randomBytes(12 * MiB + 5);
  const sink = createSha256(bytes.length);
  let offset = 0;
  await sink.update(bytes.subarray(0, 100));
  offset = 100;
  while (offset < bytes.length) {
    const read = await sink.fill(async (slab) => bytes.copy(slab, 0, offset, Math.min(bytes.length, offset + slab.length - 3)));
    offset += read;
  }
  t.is(offset, bytes.length);
  t.is(await sink.digest(), reference(bytes));
});

test('many streams at once, more than there are hashing threads, each get their own hash', async (t) => {
  const inputs = Array.from({ length: 6 }, (_, i) => randomBytes(9 * MiB + i * 4099));
  const digests = await Promise.all(
    inputs.map(async (bytes) => {
      const sink = createSha256(bytes.length);
      for (const chunk of chunksOf(bytes)) await sink.update(chunk);
      return sink.digest();
    }),
  );
  t.deepEqual(digests, inputs.map(reference));
});

test('a stream given up cannot be digested (a bug, not a wrong hash)', async (t) => {
  const sink = createSha256(16 * MiB);
  await sink.update(randomBytes(3 * MiB));
  sink.close();
  const error = await t.throwsAsync(sink.digest());
  t.true(error instanceof CapmediaError);
  t.is((error as CapmediaError).code, 'INTERNAL');
});

test('an abandoned stream does not keep the process alive', async (t) => {
  // A download that fails half-way leaves its stream behind; the CLI must still exit when its work is done.
  const module = fileURLToPath(new URL('../../src/workers/sha256.ts', import.meta.url));
  const script = `
    const { createSha256 } = await import(${JSON.stringify(module)});
    const sink = createSha256(64 << 20);
    await sink.update(Buffer.alloc(5 << 20, 1));
    const done = createSha256(64 << 20);
    await done.update(Buffer.alloc(9 << 20, 2));
    console.log(await done.digest());
  `;
  const started = Date.now();
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    timeout: 60_000,
  });
  t.is(stdout.trim(), reference(Buffer.alloc(9 << 20, 2)));
  t.log(`exited after ${Date.now() - started} ms`);
});
