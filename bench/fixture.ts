import { mkdir, mkdtemp, rm, writeFile, open } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { publishFolder } from '../src/library/publish.js';
import { openDistributionPoint } from '../src/plugins/registry.js';

export interface Fixture {
  dir: string;
  contentFolder: string;
  libraryUrl: string;
  bytes: number;
  cleanup(): Promise<void>;
}

/** Random (incompressible) large files plus many small ones, published to a file: library. */
export async function makeFixture(options: {
  largeFiles: number;
  largeSize: number;
  smallFiles: number;
  bootImage: string;
}): Promise<Fixture> {
  const dir = await mkdtemp(join(tmpdir(), 'capmedia-bench-'));
  const contentFolder = join(dir, 'package');
  await mkdir(join(contentFolder, 'small'), { recursive: true });
  let bytes = 0;
  for (let i = 0; i < options.largeFiles; i++) bytes += await randomFile(join(contentFolder, `large-${i}.bin`), options.largeSize);
  for (let i = 0; i < options.smallFiles; i++) {
    await writeFile(join(contentFolder, 'small', `file-${String(i).padStart(5, '0')}.txt`), randomBytes(2048));
    bytes += 2048;
  }
  const library = join(dir, 'content');
  const dp = openDistributionPoint({ name: 'bench', url: pathToFileURL(library).href });
  await publishFolder(options.bootImage, { id: 'BOOT' }, dp);
  await publishFolder(contentFolder, { id: 'DATA' }, dp);
  return { dir, contentFolder, libraryUrl: pathToFileURL(library).href, bytes, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

async function randomFile(path: string, size: number): Promise<number> {
  const handle = await open(path, 'w');
  const chunk = 8 * 2 ** 20;
  try {
    for (let written = 0; written < size; written += chunk) await handle.write(randomBytes(Math.min(chunk, size - written)));
  } finally {
    await handle.close();
  }
  return size;
}
