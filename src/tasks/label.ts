import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { SET_MANIFEST } from './volumes.js';
import { CapmediaError, ioError } from '../errors/index.js';
import { sha256File } from '../library/hash.js';
import { VERSION } from '../version.js';
import type { BuildContext, MediaJob, PublishedOutput } from './context.js';
import { partialPath } from '../fs/atomic.js';
import { mediaContent } from '../lock/media-record.js';

/**
 * Names, checksums and publishes the volumes. Each output replaces the old one
 * by rename only once complete (R10: the previous output survives any failure).
 */
export async function publishMedia(ctx: BuildContext, job: MediaJob): Promise<void> {
  const published: PublishedOutput[] = [];
  for (const volume of job.volumes!) {
    const sha256 = volume.sha256 ?? (await sha256File(volume.temp)).sha256;
    published.push({ media: job.media.name, path: volume.final, size: volume.size, sha256, label: volume.label });
  }
  const type = ctx.config.registry.mediaType(job.media.type);
  // A drive gets no files beside it (/dev/sdb.sha256 would be nonsense): the media type says where records go.
  const records = type.recordsPath ? type.recordsPath(job.media) : job.media.output;
  const previous = records ? await previousOutputs(records) : [];
  for (const volume of job.volumes!) {
    if (type.publish) {
      await type.publish({
        temp: volume.temp,
        final: volume.final,
        media: job.media,
        exec: ctx.exec,
        signal: ctx.options.signal,
        notice: (m) => ctx.notices.push(`${job.media.name}: ${m}`),
        confirm: ctx.confirm,
      });
    } else {
      // Once cancelled, nothing more replaces the user's files.
      if (ctx.options.signal?.aborted) throw cancelledBeforePublish();
      await moveIntoPlace(volume.temp, volume.final);
    }
  }
  if (records) {
    for (const output of published) await writeBeside(`${output.path}.sha256`, `${output.sha256}  ${basename(output.path)}\n`);
    if (published.length > 1)
      await writeBeside(setManifestPath(records), await readFile(join(job.stagingDir, 'vol-1', 'tree', SET_MANIFEST), 'utf8'));
    await writeBeside(`${records}.manifest.json`, `${JSON.stringify(buildManifest(ctx, job, published), null, 2)}\n`);
    await removeStale(previous, published, records, Boolean(type.spansVolumes));
  }
  job.published = published;
  await recordPublished(ctx, job, published);
  // R11: staging is removed after success (kept after a failure for inspection).
  await rm(job.stagingDir, { recursive: true, force: true });
}

function setManifestPath(output: string): string {
  return join(dirname(output), `${basename(output, extname(output))}.set.json`);
}

/** What the previous build of this media published, from its manifest beside the outputs (ours to replace). */
async function previousOutputs(output: string): Promise<string[]> {
  try {
    const manifest = JSON.parse(await readFile(`${output}.manifest.json`, 'utf8')) as { volumes?: Array<{ file: string }> };
    return (manifest.volumes ?? []).map((v) => join(dirname(output), basename(v.file)));
  } catch {
    return [];
  }
}

/**
 * Only after the new set is in place: volumes of a previous larger set (or
 * the single file a set replaces) that the new set does not overwrite.
 */
async function removeStale(previous: string[], published: PublishedOutput[], output: string, spansVolumes: boolean): Promise<void> {
  const current = new Set(published.map((o) => o.path));
  for (const path of previous.filter((p) => !current.has(p))) {
    await rm(path, { force: true });
    await rm(`${path}.sha256`, { force: true });
  }
  // Media that never span volumes own no set manifest: capture.set.json beside capture.img is another media's.
  if (spansVolumes && published.length === 1) await rm(setManifestPath(output), { force: true });
}

/** The publish record is written last: it is what makes the next build "up to date". */
async function recordPublished(ctx: BuildContext, job: MediaJob, outputs: PublishedOutput[]): Promise<void> {
  for (const output of outputs) {
    if (!output.path.startsWith('/dev/')) await ctx.statCache.remember(output.path, output.sha256);
  }
  await ctx.statCache.save();
  await ctx.actions.put('publish', job.publishKey!.key, job.publishKey!.preimage, { outputs });
  await ctx.actions.rememberPreimages(job.id, {
    stage: ctx.stageKey!.preimage,
    pack: job.packKey!.preimage,
    publish: job.publishKey!.preimage,
  });
}

function buildManifest(ctx: BuildContext, job: MediaJob, outputs: PublishedOutput[]) {
  const resolved = ctx.resolved!;
  const content = mediaContent(resolved.lock);
  return {
    capmedia: VERSION,
    media: job.media.name,
    type: job.media.type,
    label: job.media.label,
    sourceDateEpoch: ctx.sourceDateEpoch,
    bootImage: { id: resolved.bootImage.id, version: resolved.bootImage.version, ...resolved.bootImage.bootImage },
    content: resolved.content.map((p) => ({ id: p.id, version: p.version })),
    // the same record the media carry in SMS/data/MediaContent.json
    lockDigest: content.lockDigest,
    packages: content.packages,
    volumes: outputs.map((o, i) => ({
      number: i + 1,
      file: basename(o.path),
      size: o.size,
      sha256: o.sha256,
      label: o.label,
      // what `capmedia verify` checks the media against
      files: (job.volumes?.[i]?.files ?? []).map((f) => ({ path: f.target, size: f.size, sha256: f.sha256 })),
    })),
  };
}

async function moveIntoPlace(temp: string, final: string): Promise<void> {
  try {
    await rename(temp, final);
  } catch (error) {
    throw ioError('move the finished image into place at', final, error);
  }
}

async function writeBeside(final: string, text: string): Promise<void> {
  const temp = partialPath(final);
  try {
    await writeFile(temp, text);
    await rename(temp, final);
  } catch (error) {
    await rm(temp, { force: true });
    throw ioError('write', final, error);
  }
}

function cancelledBeforePublish(): CapmediaError {
  return new CapmediaError('CANCELLED', 'The build was cancelled; previous outputs are untouched.', {
    hint: 'Run the same command again to build.',
  });
}
