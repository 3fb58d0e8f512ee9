import { createWriteStream } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CapmediaError, fail } from '../errors/index.js';
import type { Exec } from '../tools/exec.js';
import type { WimImage, WimPart, WimSet } from './manifest.js';
import type { ImageSource } from './source.js';
import { Measure } from './streams.js';

/**
 * The WIM parts of a captured image on the receiving machine: wimlib works
 * on files, so parts read over http(s) are downloaded first, and every part
 * is checked against the manifest's size and sha256 before wimlib sees it.
 */

export interface LocalWim {
  /** The file wimlib opens (a standard WIM, the first .swm, or a pipable WIM). */
  first: string;
  /** wimlib's --ref options for the other parts of a split set. */
  refs: string[];
}

/** Puts the set's files on this machine (scratch: where downloads go) and checks their hashes. */
export async function localWimSet(source: ImageSource, set: WimSet, scratch: string): Promise<LocalWim> {
  const paths: string[] = [];
  for (const part of set.parts) {
    const local = source.localPath?.(part.file);
    const meter = new Measure();
    const target = local ?? join(scratch, part.file);
    const sink = local ? new Writable({ write: (_chunk, _encoding, callback) => callback() }) : createWriteStream(target);
    await pipeline(await source.open(part.file), meter, sink);
    checkWimPart(part, meter.bytes, meter.digest());
    paths.push(target);
  }
  return { first: paths[0], refs: paths.slice(1).map((path) => `--ref=${path}`) };
}

export function checkWimPart(part: WimPart, bytes: number, sha256: string): void {
  if (bytes === part.size && sha256 === part.sha256) return;
  throw fail('wimPartMismatch', { file: part.file, bytes, sha256, expectedBytes: part.size, expectedSha256: part.sha256 });
}

/** wimlib-imagex verify: every resource against its SHA-1, the metadata and the integrity table if any. */
export async function verifyWim(exec: Exec, wim: LocalWim, expectedImages: number): Promise<void> {
  await exec('wimlib-imagex', ['verify', wim.first, ...wim.refs]).catch((error) => Promise.reject(wimError('verify', wim, error)));
  const count = await wimImageCount(exec, wim);
  if (count !== expectedImages) {
    throw fail('wimImageCountWrong', { first: wim.first, count, expectedImages });
  }
}

export async function wimImageCount(exec: Exec, wim: LocalWim): Promise<number> {
  // The header and XML of a split set are in its first part (info takes no --ref).
  const { stdout } = await exec('wimlib-imagex', ['info', wim.first]);
  return Number(/^Image Count:\s*(\d+)/m.exec(stdout)?.[1] ?? 0);
}

/** wimlib's own description of one image (name, description, Windows edition and build when it found them). */
export async function wimImageInfo(exec: Exec, wim: LocalWim, image: WimImage): Promise<Record<string, string>> {
  const { stdout } = await exec('wimlib-imagex', ['info', wim.first, String(image.index)]);
  const fields: Record<string, string> = {};
  for (const line of stdout.split('\n')) {
    const match = /^([A-Z][A-Za-z ]+?):\s+(.*)$/.exec(line);
    if (match && match[2].trim()) fields[match[1]] = match[2].trim();
  }
  return fields;
}

/**
 * Writes one WIM image into a volume file of the partition's size, without
 * mounting: NTFS is made with mkntfs and applied by wimlib in NTFS-3G mode
 * (security descriptors, streams, reparse points and short names included);
 * ext and FAT volumes (format: 'wim') are applied to a folder and built from it.
 */
export async function applyWimImage(exec: Exec, wim: LocalWim, image: WimImage, volume: string, scratch: string): Promise<void> {
  const apply = (target: string, extra: string[] = []) =>
    exec('wimlib-imagex', ['apply', wim.first, String(image.index), target, ...wim.refs, ...extra]).catch((error) =>
      Promise.reject(wimError('apply', wim, error)),
    );
  if (image.filesystem === 'ntfs') {
    const label = image.windows ? ['-L', 'Windows'] : [];
    const geometry = ['-s', '512', '-p', String(image.offset / 512), '-H', '255', '-S', '63'];
    await exec('mkntfs', ['-q', '-F', '-Q', ...geometry, ...label, volume]);
    await apply(volume);
    return;
  }
  const tree = join(scratch, `tree-${image.partition}`);
  if (image.filesystem === 'ext') {
    // Owners and modes come back only as root; without, the files keep the restoring user's.
    await apply(tree, process.getuid?.() === 0 ? ['--unix-data'] : []);
    await exec('mkfs.ext4', ['-q', '-F', '-d', tree, volume, `${Math.floor(image.bytes / 1024)}k`]);
    return;
  }
  if (image.filesystem === 'vfat') {
    await apply(tree);
    await exec('mkfs.fat', [volume, String(Math.floor(image.bytes / 1024))]);
    const entries = (await readdir(tree)).map((name) => join(tree, name));
    if (entries.length > 0) await exec('mcopy', ['-s', '-Q', '-i', volume, ...entries, '::/']);
    return;
  }
  throw fail('wimVolumeUnsupported', { first: wim.first, index: image.index, filesystem: image.filesystem || 'unknown' });
}

function wimError(action: string, wim: LocalWim, error: unknown): CapmediaError {
  const detail = error instanceof CapmediaError ? `${error.message}\n${error.detail ?? ''}` : String(error);
  const why = error instanceof CapmediaError ? error.message.replace(/^wimlib-imagex failed \(exit \d+\): /, '') : String(error);
  return fail('wimlibFailed', { action, first: wim.first, why }, { detail, cause: error });
}
