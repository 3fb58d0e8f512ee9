import { lstat, open, rename, rm, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { CapmediaError, ioError } from '../errors.js';
import { exec as realExec, type Exec } from '../tools/exec.js';
import type { ImageManifest, ImagePart } from './manifest.js';
import type { ImageSource } from './source.js';
import { readManifest } from './verify.js';
import { Measure, positionalWriter, zstdDecompress } from './streams.js';

/**
 * Writes a captured image back into a disk image file, without root: the
 * partition table with sfdisk, then every region at its offset. The file is
 * built beside the target under a hidden name and renamed into place only
 * when every part matched its manifest hash, so a failed restore leaves no
 * disk image that looks finished.
 */

export interface RestoreOptions {
  /** Replace an existing file (never a device). */
  force?: boolean;
  exec?: Exec;
  onProgress?: (message: string) => void;
}

export interface RestoreResult {
  target: string;
  bytes: number;
  parts: number;
}

export async function restoreImage(source: ImageSource, target: string, options: RestoreOptions = {}): Promise<RestoreResult> {
  const manifest = await readManifest(source);
  const output = resolve(target);
  await checkTarget(output, options.force ?? false);
  const temp = join(dirname(output), `.${basename(output)}.capmedia-partial`);
  await rm(temp, { force: true });
  const handle = await open(temp, 'wx').catch((error) => Promise.reject(ioError('create', temp, error)));
  try {
    await handle.truncate(manifest.source.bytes).catch((error) => Promise.reject(ioError('size', temp, error)));
    await writeParts(source, manifest, handle, temp, options);
    await handle.sync();
    await handle.close();
    await rename(temp, output).catch((error) => Promise.reject(ioError('move the restored disk image to', output, error)));
  } catch (error) {
    await handle.close().catch(() => undefined);
    await rm(temp, { force: true });
    throw error;
  }
  return { target: output, bytes: manifest.source.bytes, parts: manifest.parts.length };
}

async function checkTarget(output: string, force: boolean): Promise<void> {
  const info = await lstat(output).catch(() => undefined);
  if (!info) return;
  if (!info.isFile()) {
    throw new CapmediaError('USAGE', `${output} is not a regular file: capmedia image restore writes disk image files only.`, {
      hint: 'Restore into a file (e.g. restored.img) and write that to a drive with a tool made for it.',
    });
  }
  if (!force)
    throw new CapmediaError('USAGE', `${output} already exists.`, {
      hint: 'Choose another file name, or pass --force to replace it (only once the restore succeeded).',
    });
}

/** Table first: its raw copy in the head region then lands on identical bytes, and the backup GPT comes from sfdisk. */
async function writeParts(
  source: ImageSource,
  manifest: ImageManifest,
  handle: FileHandle,
  temp: string,
  options: RestoreOptions,
): Promise<void> {
  const table = manifest.parts.find((part) => part.kind === 'partition-table');
  if (table) await applyTable(source, table, temp, options.exec ?? realExec);
  const regions = manifest.parts.filter((part) => part.kind !== 'partition-table').sort((a, b) => a.offset - b.offset);
  for (const part of regions) {
    options.onProgress?.(`writing ${part.file} at byte ${part.offset} (${part.rawBytes} bytes)`);
    await writeRegion(source, part, handle);
  }
}

async function applyTable(source: ImageSource, part: ImagePart, temp: string, exec: Exec): Promise<void> {
  const meter = new Measure();
  const chunks: Buffer[] = [];
  await pipeline(await source.open(part.file), meter, async (input: AsyncIterable<Buffer>) => {
    for await (const chunk of input) chunks.push(chunk);
  });
  checkPart(part, meter);
  try {
    await exec('sfdisk', ['--quiet', '--no-reread', '--no-tell-kernel', temp], { input: Buffer.concat(chunks) });
  } catch (error) {
    throw new CapmediaError('RESTORE_FAILED', `sfdisk could not write the partition table ${part.file} into the disk image.`, {
      detail: error instanceof CapmediaError ? `${error.message}\n${error.detail ?? ''}` : String(error),
      cause: error,
    });
  }
}

async function writeRegion(source: ImageSource, part: ImagePart, handle: FileHandle): Promise<void> {
  const meter = new Measure();
  // The head holds the tables sfdisk just wrote: its zeros must be written too.
  const writer = positionalWriter(handle, part.offset, { sparse: part.kind !== 'head' });
  const input = await source.open(part.file);
  if (part.compression === 'zstd') await zstdDecompress(input, writer, meter);
  else await pipeline(input, meter, writer);
  checkPart(part, meter);
  const raw = part.compression === 'zstd' ? part.rawBytes : part.size;
  if (writer.written() !== raw) {
    throw new CapmediaError('IMAGE_INVALID', `${part.file} decompressed to ${writer.written()} bytes, the manifest says ${raw}.`, {
      hint: 'The image is damaged: run capmedia image verify on it.',
    });
  }
}

function checkPart(part: ImagePart, meter: Measure): void {
  const sha256 = meter.digest();
  if (meter.bytes === part.size && sha256 === part.sha256) return;
  throw new CapmediaError(
    'IMAGE_INVALID',
    `${part.file} does not match the manifest (${meter.bytes} bytes, sha256 ${sha256}; expected ${part.size} bytes, ${part.sha256}).`,
    {
      hint: 'The image is damaged: nothing was restored. Run capmedia image verify on it, or capture again.',
    },
  );
}
