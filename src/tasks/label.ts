import { readFile, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fail } from '../errors/index.js';
import { sha256File } from '../library/hash.js';
import { VERSION } from '../version.js';
import type { BuildContext } from './context.js';
import type { JobPlan, Plan, PublishedOutput, Resolved, Volumes } from './results.js';
import { moveIntoPlace, writeFileAtomically } from '../fs/atomic.js';
import { mediaContent } from '../lock/media-record.js';
import { commitStep } from './commit.js';
import { setManifestPath } from './volumes.js';

/**
 * Names, checksums and publishes the volumes. Each output replaces the old one
 * by rename only once complete (R10: the previous output survives any failure).
 */
export async function publishMedia(
  ctx: BuildContext,
  resolved: Resolved,
  plan: Plan,
  jobPlan: JobPlan,
  { volumes, setManifest }: Volumes,
): Promise<PublishedOutput[]> {
  const { job } = jobPlan;
  const { services } = ctx;
  const published: PublishedOutput[] = [];
  for (const volume of volumes) {
    const sha256 = volume.sha256 ?? (await sha256File(volume.temp)).sha256;
    published.push({ media: job.media.name, path: volume.final, size: volume.size, sha256, label: volume.label });
  }
  const type = ctx.config.registry.mediaType(job.media.type);
  // A drive gets no files beside it (/dev/sdb.sha256 would be nonsense): the media type says where records go.
  const records = type.recordsPath ? type.recordsPath(job.media) : job.media.output;
  const previous = records ? await previousOutputs(records) : [];
  for (const volume of volumes) {
    if (type.publish) {
      await type.publish({
        temp: volume.temp,
        final: volume.final,
        media: job.media,
        exec: services.exec,
        signal: services.signal,
        notice: (m) => services.notices.push(`${job.media.name}: ${m}`),
        confirm: services.confirm,
      });
    } else {
      // Once cancelled, nothing more replaces the user's files.
      if (services.signal?.aborted) throw fail('buildCancelled', {});
      // The previous image is freed while the records are written; the build waits for it before it ends.
      await moveIntoPlace(volume.temp, volume.final, 'move the finished image into place at', { removePreviousLater: true });
    }
  }
  if (records) {
    for (const output of published) await writeFileAtomically(`${output.path}.sha256`, `${output.sha256}  ${basename(output.path)}\n`);
    if (published.length > 1 && setManifest) await writeFileAtomically(setManifestPath(records), setManifest);
    const manifest = buildManifest(ctx, resolved, jobPlan, published, volumes);
    await writeFileAtomically(`${records}.manifest.json`, `${JSON.stringify(manifest, null, 2)}\n`);
    await removeStale(previous, published, records, Boolean(type.spansVolumes));
  }
  await recordPublished(ctx, plan, jobPlan, published);
  // R11: staging is removed after success (kept after a failure for inspection).
  await rm(job.stagingDir, { recursive: true, force: true });
  return published;
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
async function recordPublished(ctx: BuildContext, plan: Plan, jobPlan: JobPlan, outputs: PublishedOutput[]): Promise<void> {
  const { statCache, actions } = ctx.services;
  for (const output of outputs) {
    if (!output.path.startsWith('/dev/')) await statCache.remember(output.path, output.sha256);
  }
  await statCache.save();
  // What the next plan explains a miss against; not a record, so it may go first.
  await actions.rememberPreimages(jobPlan.job.id, {
    stage: plan.stageKey.preimage,
    pack: jobPlan.packKey.preimage,
    publish: jobPlan.publishKey.preimage,
  });
  await commitStep(ctx.services, 'publish', jobPlan.publishKey, { outputs });
}

function buildManifest(ctx: BuildContext, resolved: Resolved, { job }: JobPlan, outputs: PublishedOutput[], volumes: Volumes['volumes']) {
  const content = mediaContent(resolved.lock);
  return {
    capmedia: VERSION,
    media: job.media.name,
    type: job.media.type,
    label: job.media.label,
    sourceDateEpoch: ctx.services.sourceDateEpoch,
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
      files: (volumes[i]?.files ?? []).map((f) => ({ path: f.target, size: f.size, sha256: f.sha256 })),
    })),
  };
}
