import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Exec } from './exec.js';

/**
 * Lets a tool write its output through a FIFO that we copy to the real file
 * while hashing it: the image is read once, not written and then read back.
 */
export async function writeHashed(
  exec: Exec,
  workDir: string,
  output: string,
  produce: (fifo: string) => Promise<unknown>,
): Promise<{ sha256: string; size: number }> {
  const fifo = join(workDir, `out-${process.pid}-${Date.now()}.fifo`);
  await exec('mkfifo', [fifo]);
  const hash = createHash('sha256');
  let size = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      size += chunk.length;
      callback(null, chunk);
    },
  });
  const copying = pipeline(createReadStream(fifo, { highWaterMark: 1 << 16 }), tap, createWriteStream(output, { highWaterMark: 1 << 20 }));
  try {
    await produce(fifo);
  } catch (error) {
    await unblockReader(fifo);
    await copying.catch(() => undefined);
    throw error;
  } finally {
    await copying.catch(() => undefined);
    await rm(fifo, { force: true });
  }
  await copying;
  return { sha256: hash.digest('hex'), size };
}

/** A tool that failed before opening the FIFO leaves our reader waiting: open and close it as a writer. */
async function unblockReader(fifo: string): Promise<void> {
  const handle = await open(fifo, 'w').catch(() => undefined);
  await handle?.close();
}
