import { createHash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import type { Exec } from './exec.js';

const CHUNK = 1 << 20;
const POLL_MS = 15;
/** The system area (MBR, GPT, isohybrid) is the one place a writer might go back to; check it was not rewritten. */
const HEAD_BYTES = 64 * 1024;

/**
 * Hashes a tool's output file while the tool writes it, by following the
 * growing file (the tool writes sequentially; xorriso lays the image out
 * before writing). The tool writes straight to disk and the hash runs on the
 * other core, so the image is never read back afterwards.
 */
export async function writeHashed(
  _exec: Exec,
  _workDir: string,
  output: string,
  produce: (path: string) => Promise<unknown>,
  patchHead?: HeadPatch,
): Promise<{ sha256: string; size: number }> {
  let finished = false;
  const producing = produce(output).finally(() => {
    finished = true;
  });
  const following = follow(output, () => finished, patchHead);
  await producing.catch(async (error) => {
    await following.catch(() => undefined);
    throw error;
  });
  return following;
}

/**
 * Changes the first HEAD_BYTES of the image (e.g. a volume descriptor the
 * tool cannot write as wanted). Applied in place once the tool has written
 * past them and before they are hashed, so the hash is the final image's.
 */
export type HeadPatch = (head: Buffer) => void;

async function follow(path: string, isFinished: () => boolean, patchHead?: HeadPatch): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  const buffer = Buffer.allocUnsafe(CHUNK);
  let handle: FileHandle | undefined;
  let position = 0;
  let pendingPatch = patchHead;
  const head: Buffer[] = [];
  try {
    for (;;) {
      const finishedBefore = isFinished();
      handle ??= await open(path, patchHead ? 'r+' : 'r').catch(() => undefined);
      if (handle && pendingPatch) {
        const patched = await patchInPlace(handle, pendingPatch, finishedBefore);
        if (!patched) {
          await new Promise((resolve) => setTimeout(resolve, POLL_MS));
          continue;
        }
        pendingPatch = undefined;
        hash.update(patched);
        head.push(patched);
        position = patched.length;
        continue;
      }
      const read = handle ? (await handle.read(buffer, 0, CHUNK, position)).bytesRead : 0;
      if (read > 0) {
        hash.update(buffer.subarray(0, read));
        if (position < HEAD_BYTES) head.push(Buffer.from(buffer.subarray(0, Math.min(read, HEAD_BYTES - position))));
        position += read;
        continue;
      }
      // Only a read that found nothing after the tool had exited means the end.
      if (finishedBefore) break;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    await assertHeadUnchanged(handle, Buffer.concat(head), path);
  } finally {
    await handle?.close();
  }
  return { sha256: hash.digest('hex'), size: position };
}

/** The patched head, once the tool wrote all of it (or finished); undefined while it is still short. */
async function patchInPlace(handle: FileHandle, patch: HeadPatch, finished: boolean): Promise<Buffer | undefined> {
  const size = (await handle.stat()).size;
  if (size < HEAD_BYTES && !finished) return undefined;
  const start = Buffer.alloc(Math.min(size, HEAD_BYTES));
  await handle.read(start, 0, start.length, 0);
  patch(start);
  await handle.write(start, 0, start.length, 0);
  return start;
}

async function assertHeadUnchanged(handle: FileHandle | undefined, seen: Buffer, path: string): Promise<void> {
  if (!handle || seen.length === 0) return;
  const now = Buffer.alloc(seen.length);
  await handle.read(now, 0, seen.length, 0);
  if (!now.equals(seen))
    throw new Error(`${path} was rewritten at its start after it was hashed; the hash taken while writing cannot be trusted`);
}
