import { readFile, stat } from 'node:fs/promises';
import { sha256File } from '../../library/hash.js';
import type { MediaReport } from './types.js';

/** Image media are files: a folder (another media type's output) is not theirs to inspect. */
export async function isRegularFile(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isFile() ?? false;
}

/** Whether an output matches the `.sha256` file the build wrote beside it. */
export async function checksumState(file: string): Promise<MediaReport['checksum']> {
  const expected = await readFile(`${file}.sha256`, 'utf8').catch(() => undefined);
  if (!expected) return 'no checksum file';
  return expected.split(/\s+/)[0] === (await sha256File(file)).sha256 ? 'ok' : 'mismatch';
}
