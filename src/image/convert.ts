import { lstat, mkdir, readdir } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { fail } from '../errors/index.js';
import { exec as realExec, type Exec } from '../tools/exec.js';
import { wimSets, type WimImage } from './manifest.js';
import type { ImageSource } from './source.js';
import { readManifest } from './verify.js';
import { localWimSet, verifyWim, type LocalWim } from './wim.js';
import { moveIntoPlace, withScratchFolder } from '../fs/atomic.js';

/**
 * Turns the WIM parts of a captured image into one standard WIM, what DISM,
 * Windows Setup and Configuration Manager read: http(s) captures arrive as
 * one pipable WIM per volume (a stream cannot seek back to write a standard
 * header), file captures as one WIM or a split set. Every image is exported
 * in partition order with its name, description and properties; the result
 * is verified and only then given its name (or cut into .swm parts).
 */

export interface ConvertOptions {
  /** Replace existing output files (only once the new ones are complete). */
  force?: boolean;
  /** Largest .swm part in bytes; the output then is <stem>.swm, <stem>2.swm, … */
  split?: number;
  exec?: Exec;
  onProgress?: (message: string) => void;
}

export interface ConvertResult {
  files: string[];
  images: number;
}

export async function convertImage(source: ImageSource, target: string, options: ConvertOptions = {}): Promise<ConvertResult> {
  const exec = options.exec ?? realExec;
  const manifest = await readManifest(source);
  const sets = wimSets(manifest);
  if (sets.length === 0) {
    throw fail('imageHasNoWim', { location: source.location });
  }
  const output = resolve(target);
  const stem = basename(output).replace(/\.(wim|swm)$/i, '');
  await checkTargets([options.split ? join(dirname(output), `${stem}.swm`) : output], options.force ?? false);
  return withScratchFolder(output, async (scratch) => {
    const wim = join(scratch, 'image.wim');
    const entries: Array<{ wim: LocalWim; image: WimImage; compression: string }> = [];
    for (const set of sets) {
      options.onProgress?.(`checking ${set.parts.map((part) => part.file).join(', ')}`);
      const local = await localWimSet(source, set, scratch);
      entries.push(...set.images.map((image) => ({ wim: local, image, compression: set.compression })));
    }
    entries.sort((a, b) => a.image.partition - b.image.partition);
    for (const [i, entry] of entries.entries()) {
      options.onProgress?.(`exporting "${entry.image.name}" (partition ${entry.image.partition}) as image ${i + 1}`);
      const create = i === 0 ? [`--compress=${entry.compression === 'none' ? 'none' : entry.compression.toUpperCase()}`] : [];
      await exec('wimlib-imagex', ['export', entry.wim.first, String(entry.image.index), wim, ...entry.wim.refs, ...create]);
    }
    await verifyWim(exec, { first: wim, refs: [] }, entries.length);
    const files = options.split ? await splitInto(exec, wim, output, options.split, scratch) : [wim];
    const finals = files.map((file) => join(dirname(output), options.split ? basename(file) : basename(output)));
    await checkTargets(finals, options.force ?? false);
    for (const [i, file] of files.entries()) await moveIntoPlace(file, finals[i], 'move the converted WIM to');
    return { files: finals, images: entries.length };
  });
}

/** wimlib-imagex split into the scratch folder, named after the output: out.swm, out2.swm, … */
async function splitInto(exec: Exec, wim: string, output: string, bytes: number, scratch: string): Promise<string[]> {
  const stem = basename(output).replace(/\.(wim|swm)$/i, '');
  const parts = join(scratch, 'parts');
  await mkdir(parts);
  await exec('wimlib-imagex', ['split', wim, join(parts, `${stem}.swm`), String(Math.max(1, Math.floor(bytes / 1048576)))]);
  const number = (name: string) => Number(/(\d*)\.swm$/.exec(name.slice(stem.length))?.[1] || 1);
  const names = (await readdir(parts)).sort((a, b) => number(a) - number(b));
  return names.map((name) => join(parts, name));
}

async function checkTargets(targets: string[], force: boolean): Promise<void> {
  for (const target of targets) {
    const info = await lstat(target).catch(() => undefined);
    if (!info) continue;
    if (!info.isFile() || !force) {
      throw fail(info.isFile() ? 'convertTargetExists' : 'convertTargetNotFile', { target });
    }
  }
}
