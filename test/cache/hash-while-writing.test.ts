import test from 'ava';
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { writeHashed } from '../../src/tools/hash-while-writing.js';
import { CapmediaError } from '../../src/errors/index.js';
import type { Exec } from '../../src/tools/exec.js';

const MiB = 2 ** 20;
const unusedExec = (() => Promise.reject(new Error('not used'))) as unknown as Exec;

/**
 * A writer in another process, as xorriso is: `pieces` MiB of pseudo-random bytes written one at a time with pauses,
 * so the follower meets a growing file, short reads and an end it must not mistake for a pause.
 */
function slowWriter(pieces: number, rewriteHeadAtEnd = false) {
  const script = `
    const { openSync, writeSync, closeSync } = require('node:fs');
    const fd = openSync(process.argv[1], 'w');
    let seed = 7;
    const piece = Buffer.alloc(${MiB});
    (async () => {
      for (let i = 0; i < ${pieces}; i++) {
        for (let j = 0; j < piece.length; j++) piece[j] = (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
        writeSync(fd, piece, 0, i % 3 === 0 ? piece.length - 1000 : piece.length);
        await new Promise((r) => setTimeout(r, 20));
      }
      if (${rewriteHeadAtEnd}) writeSync(fd, Buffer.from('late'), 0, 4, 10);
      closeSync(fd);
    })();
  `;
  return (path: string) => promisify(execFile)(process.execPath, ['-e', script, path]);
}

async function inTemp(t: { teardown(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'capmedia-hash-writing-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return join(dir, 'out.img');
}

const sha256Of = async (path: string) =>
  createHash('sha256')
    .update(await readFile(path))
    .digest('hex');

test('the hash taken while a slow writer writes equals the finished file', async (t) => {
  const path = await inTemp(t);
  const result = await writeHashed(unusedExec, '', path, slowWriter(12));
  const bytes = await readFile(path);
  t.is(result.size, bytes.length);
  t.is(result.sha256, await sha256Of(path));
});

test('a head patch is applied in place before hashing, and the hash is the patched file', async (t) => {
  const path = await inTemp(t);
  const result = await writeHashed(unusedExec, '', path, slowWriter(9), (head) => head.fill(0x42, 0, 512));
  const bytes = await readFile(path);
  t.true(bytes.subarray(0, 512).every((b) => b === 0x42));
  t.is(result.sha256, await sha256Of(path));
});

test('a writer that goes back to the start after it was hashed is caught', async (t) => {
  const path = await inTemp(t);
  const error = await t.throwsAsync(writeHashed(unusedExec, '', path, slowWriter(9, true)));
  t.true(error instanceof CapmediaError);
  t.regex(error!.message, /rewritten at its start after it was hashed/);
});

test('a writer that fails is reported, not a hash', async (t) => {
  const path = await inTemp(t);
  const error = await t.throwsAsync(
    writeHashed(unusedExec, '', path, async () => {
      throw new Error('tool exited with 5');
    }),
  );
  t.is(error!.message, 'tool exited with 5');
});
