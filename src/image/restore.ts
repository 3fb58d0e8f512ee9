import { createReadStream } from 'node:fs';
import { lstat, open, rm, truncate, writeFile, type FileHandle } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { CapmediaError, ioError, fail } from '../errors/index.js';
import { exec as realExec, type Exec } from '../tools/exec.js';
import { rawParts, wimSets, type ImageManifest, type RawPart, type WimImage } from './manifest.js';
import type { ImageSource } from './source.js';
import { readManifest } from './verify.js';
import { Measure, positionalWriter, zstdDecompress } from './streams.js';
import { applyWimImage, localWimSet, type LocalWim } from './wim.js';
import { moveIntoPlace, partialPath, removeStalePartials, withScratchFolder } from '../fs/atomic.js';

/**
 * Writes a captured image back into a disk image file, without root: the
 * partition table with sfdisk, then every region at its offset, then every
 * WIM image onto a fresh volume of its partition's size. The file is
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
  /** WIM images applied. */
  images: number;
}

export async function restoreImage(source: ImageSource, target: string, options: RestoreOptions = {}): Promise<RestoreResult> {
  const manifest = await readManifest(source);
  const output = resolve(target);
  await checkTarget(output, options.force ?? false);
  // A restore that died left its partial: the disk image may be as large as a disk.
  await removeStalePartials(output);
  const temp = partialPath(output);
  const handle = await open(temp, 'wx').catch((error) => Promise.reject(ioError('create', temp, error)));
  try {
    await handle.truncate(manifest.source.bytes).catch((error) => Promise.reject(ioError('size', temp, error)));
    await writeParts(source, manifest, handle, { temp, output }, options);
    await handle.sync();
    await handle.close();
    await moveIntoPlace(temp, output, 'move the restored disk image to');
  } catch (error) {
    await handle.close().catch(() => undefined);
    await rm(temp, { force: true });
    throw error;
  }
  return {
    target: output,
    bytes: manifest.source.bytes,
    parts: manifest.parts.length,
    images: wimSets(manifest).flatMap((set) => set.images).length,
  };
}

async function checkTarget(output: string, force: boolean): Promise<void> {
  const info = await lstat(output).catch(() => undefined);
  if (!info) return;
  if (!info.isFile()) {
    throw fail('restoreTargetNotFile', { output });
  }
  if (!force) throw fail('restoreTargetExists', { output });
}

/** Table first: its raw copy in the head region then lands on identical bytes, and the backup GPT comes from sfdisk. */
async function writeParts(
  source: ImageSource,
  manifest: ImageManifest,
  handle: FileHandle,
  { temp, output }: { temp: string; output: string },
  options: RestoreOptions,
): Promise<void> {
  const exec = options.exec ?? realExec;
  const raw = rawParts(manifest);
  const table = raw.find((part) => part.kind === 'partition-table');
  if (table) await applyTable(source, table, temp, exec);
  const regions = raw.filter((part) => part.kind !== 'partition-table').sort((a, b) => a.offset - b.offset);
  for (const part of regions) {
    options.onProgress?.(`writing ${part.file} at byte ${part.offset} (${part.rawBytes} bytes)`);
    await writeRegion(source, part, handle);
  }
  const sets = wimSets(manifest);
  if (sets.length === 0) return;
  // Volumes are built beside the target: they are as large as their partitions.
  await withScratchFolder(output, async (scratch) => {
    for (const set of sets) {
      options.onProgress?.(`checking ${set.parts.map((part) => part.file).join(', ')}`);
      const wim = await localWimSet(source, set, scratch);
      for (const image of set.images) {
        options.onProgress?.(
          `applying ${set.parts[0].file} image ${image.index} ("${image.name}") as ${image.filesystem} at byte ${image.offset}`,
        );
        await writeWimVolume(exec, wim, image, handle, scratch);
      }
    }
  });
}

async function writeWimVolume(exec: Exec, wim: LocalWim, image: WimImage, handle: FileHandle, scratch: string): Promise<void> {
  const volume = join(scratch, `volume-${image.partition}.img`);
  await writeFile(volume, '');
  await truncate(volume, image.bytes);
  try {
    await applyWimImage(exec, wim, image, volume, scratch);
  } catch (error) {
    if (error instanceof CapmediaError && error.code !== 'TOOL_FAILED') throw error;
    throw fail(
      'restorePartitionFailed',
      { partition: image.partition, filesystem: image.filesystem, first: wim.first },
      { detail: error instanceof CapmediaError ? `${error.message}\n${error.detail ?? ''}` : String(error), cause: error },
    );
  }
  const writer = positionalWriter(handle, image.offset, { sparse: true });
  await pipeline(createReadStream(volume, { highWaterMark: 1024 * 1024 }), writer);
  await rm(volume, { force: true });
}

async function applyTable(source: ImageSource, part: RawPart, temp: string, exec: Exec): Promise<void> {
  const meter = new Measure();
  const chunks: Buffer[] = [];
  await pipeline(await source.open(part.file), meter, async (input: AsyncIterable<Buffer>) => {
    for await (const chunk of input) chunks.push(chunk);
  });
  checkPart(part, meter);
  try {
    await exec('sfdisk', ['--quiet', '--no-reread', '--no-tell-kernel', temp], { input: Buffer.concat(chunks) });
  } catch (error) {
    throw fail(
      'restorePartitionTableFailed',
      { file: part.file },
      { detail: error instanceof CapmediaError ? `${error.message}\n${error.detail ?? ''}` : String(error), cause: error },
    );
  }
}

async function writeRegion(source: ImageSource, part: RawPart, handle: FileHandle): Promise<void> {
  const meter = new Measure();
  // The head holds the tables sfdisk just wrote: its zeros must be written too.
  const writer = positionalWriter(handle, part.offset, { sparse: part.kind !== 'head' });
  const input = await source.open(part.file);
  if (part.compression === 'zstd') await zstdDecompress(input, writer, meter);
  else await pipeline(input, meter, writer);
  checkPart(part, meter);
  const raw = part.compression === 'zstd' ? part.rawBytes : part.size;
  if (writer.written() !== raw) {
    throw fail('imagePartSizeWrong', { file: part.file, writer: writer.written(), raw });
  }
}

function checkPart(part: RawPart, meter: Measure): void {
  const sha256 = meter.digest();
  if (meter.bytes === part.size && sha256 === part.sha256) return;
  throw fail('rawPartMismatch', { file: part.file, bytes: meter.bytes, sha256, expectedBytes: part.size, expectedSha256: part.sha256 });
}
