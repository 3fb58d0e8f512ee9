import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { exec as realExec, type Exec } from '../tools/exec.js';
import { MANIFEST_FILE, parseManifest, wimSets, type ImageManifest, type ImagePart, type WimSet } from './manifest.js';
import type { ImageSource } from './source.js';
import { Measure, measure, zstdDecompress } from './streams.js';
import { localWimSet, verifyWim } from './wim.js';

/**
 * Checks an image folder against its manifest: every part present, of the
 * stored size, with the stored sha256 and (unless quick) decompressing to
 * the number of bytes the capture read, one streaming pass per part; and
 * every WIM (a split set as one) through wimlib-imagex verify.
 */

export interface PartReport {
  file: string;
  ok: boolean;
  problem?: string;
}

export interface ImageReport {
  location: string;
  manifest: ImageManifest;
  parts: PartReport[];
  ok: boolean;
}

export interface VerifyOptions {
  /** Hashes only; skips decompressing (content is then trusted to the sha256). */
  quick?: boolean;
  exec?: Exec;
  onProgress?: (message: string) => void;
}

export async function readManifest(source: ImageSource): Promise<ImageManifest> {
  return parseManifest(await source.readText(MANIFEST_FILE), `${source.location}/${MANIFEST_FILE}`);
}

export async function verifyImage(source: ImageSource, options: VerifyOptions = {}): Promise<ImageReport> {
  const manifest = await readManifest(source);
  const parts: PartReport[] = [];
  for (const part of manifest.parts) {
    options.onProgress?.(`checking ${part.file} (${part.size} bytes)`);
    parts.push(await verifyPart(source, part, options.quick ?? false));
  }
  if (!options.quick) {
    for (const set of wimSets(manifest)) {
      // A part that failed its hash already explains the failure.
      if (set.parts.some((part) => !parts.find((report) => report.file === part.file)?.ok)) continue;
      options.onProgress?.(`checking ${set.parts[0].file} with wimlib-imagex verify`);
      parts.push(await verifyWimSet(source, set, options.exec ?? realExec));
    }
  }
  return { location: source.location, manifest, parts, ok: parts.every((part) => part.ok) };
}

async function verifyPart(source: ImageSource, part: ImagePart, quick: boolean): Promise<PartReport> {
  const meter = new Measure();
  let raw = 0;
  const counter = new Writable({
    write: (chunk: Buffer, _encoding, callback) => {
      raw += chunk.length;
      callback();
    },
  });
  try {
    const input = await source.open(part.file);
    if (part.compression === 'zstd' && !quick) await zstdDecompress(input, counter, meter);
    else await pipeline(input, meter, counter);
  } catch (error) {
    // A damaged file explains a decompression failure better than zstd does.
    const stored = await source.open(part.file).then(measure, () => undefined);
    if (stored) {
      const report = compareStored(part, stored.bytes, stored.sha256);
      if (!report.ok) return report;
    }
    return { file: part.file, ok: false, problem: error instanceof Error ? error.message : String(error) };
  }
  const stored = checkStored(part, meter);
  if (!stored.ok) return stored;
  if (part.kind === 'wim') return { file: part.file, ok: true };
  const expectedRaw = part.compression === 'none' ? part.size : part.rawBytes;
  if (!quick && raw !== expectedRaw)
    return { file: part.file, ok: false, problem: `decompresses to ${raw} bytes, the manifest says ${expectedRaw}` };
  return { file: part.file, ok: true };
}

async function verifyWimSet(source: ImageSource, set: WimSet, exec: Exec): Promise<PartReport> {
  const file = `${set.parts[0].file} (${set.pipable ? 'pipable ' : ''}WIM, ${set.images.length} image${set.images.length === 1 ? '' : 's'})`;
  const scratch = await mkdtemp(join(tmpdir(), 'capmedia-wim-verify-'));
  try {
    await verifyWim(exec, await localWimSet(source, set, scratch), set.images.length);
    return { file, ok: true };
  } catch (error) {
    return { file, ok: false, problem: error instanceof Error ? error.message : String(error) };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

function checkStored(part: ImagePart, meter: Measure): PartReport {
  return compareStored(part, meter.bytes, meter.digest());
}

function compareStored(part: ImagePart, bytes: number, sha256: string): PartReport {
  if (bytes !== part.size) return { file: part.file, ok: false, problem: `is ${bytes} bytes, the manifest says ${part.size}` };
  if (sha256 !== part.sha256) return { file: part.file, ok: false, problem: `has sha256 ${sha256}, the manifest says ${part.sha256}` };
  return { file: part.file, ok: true };
}
