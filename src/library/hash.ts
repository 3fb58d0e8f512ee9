import { createHash } from 'node:crypto';
import { open, readFile, stat } from 'node:fs/promises';

const SMALL_FILE = 1 << 20;
const CHUNK = 1 << 20;

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * Hashes a file through one reused buffer: memory stays flat whatever the
 * file size (a stream would allocate a new buffer per chunk and leave the
 * garbage collector to catch up). Small files are read in one call.
 */
export async function sha256File(path: string): Promise<{ sha256: string; size: number }> {
  const info = await stat(path);
  if (info.size <= SMALL_FILE) {
    const bytes = await readFile(path);
    return { sha256: sha256Hex(bytes), size: bytes.length };
  }
  const hash = createHash('sha256');
  const buffer = Buffer.allocUnsafe(CHUNK);
  const handle = await open(path, 'r');
  let size = 0;
  try {
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, CHUNK, size);
      if (bytesRead === 0) break;
      hash.update(buffer.subarray(0, bytesRead));
      size += bytesRead;
    }
  } finally {
    await handle.close();
  }
  return { sha256: hash.digest('hex'), size };
}

export function isSha256(value: string): boolean {
  return /^[0-9a-f]{64}$/.test(value);
}
