import { join } from 'node:path';
import { rm } from 'node:fs/promises';
import { CapmediaError } from '../errors/index.js';
import { formatBytes } from '../config/size.js';
import { mapPool } from '../cache/pool.js';
import type { MediaType, PackInput } from '../plugins/media/types.js';
import type { BuildContext, MediaJob } from './context.js';
import { partialPath } from '../fs/atomic.js';
import { assertLayout, layOutGenerated, layOutTree, refreshTree } from './tree.js';
import {
  assignVolumes,
  bootTooLarge,
  fileCost,
  isSpreadable,
  setManifest,
  SET_MANIFEST,
  volumeFileName,
  volumeLabel,
  type VolumePlan,
} from './volumes.js';
import { splitLargeWims } from './wim-split.js';

/** Two volumes pack at once: xorriso is I/O bound, and the machine may have 2 cores. */
const PACK_PARALLELISM = 2;
const MAX_ROUNDS = 8;

/**
 * R8/R9: when the media hold more than media.size, the content is spread over
 * several sequence-numbered volumes that each fit; only volume 1 boots.
 */
export async function splitMedia(ctx: BuildContext, job: MediaJob): Promise<void> {
  const packed = job.packed;
  if (packed && packed.size <= job.media.capacity) {
    job.volumes = [
      {
        temp: packed.output,
        final: job.media.output,
        size: packed.size,
        sha256: packed.sha256,
        label: packed.volumeLabel,
        files: ctx.layout,
      },
    ];
    return;
  }
  const type = ctx.config.registry.mediaType(job.media.type);
  if (!type.spansVolumes || !type.estimateSize) {
    const size = packed?.size ?? job.oversize ?? 0;
    throw new CapmediaError(
      'MEDIA_TOO_SMALL',
      `The ${job.media.type} media need ${formatBytes(size)}, more than media.size ${JSON.stringify(job.media.sizeSpec)} (${formatBytes(job.media.capacity)}), and ${job.media.type} media cannot span several volumes.`,
      {
        hint: `Use a larger size, carry less content, or build a set of volumes (${spanningTypes(ctx)}).`,
      },
    );
  }
  const plan = await planSet(ctx, job, type);
  const temps = plan.map((volume) => partialPath(volumeFileName(job.media.output, volume.number)));
  try {
    job.volumes = await mapPool(plan, PACK_PARALLELISM, (volume) =>
      packVolume(ctx, job, type, volume, setManifest(job.media.label, plan), temps[volume.number - 1]),
    );
  } catch (error) {
    await Promise.all(temps.map((temp) => rm(temp, { force: true })));
    throw error;
  }
  ctx.notices.push(
    `${job.media.name}: ${formatBytes(job.oversize ?? 0)} do not fit media.size ${JSON.stringify(job.media.sizeSpec)}: written as ${plan.length} volumes`,
  );
}

/** The media types that write a set of volumes, as config values: 'media.type: "iso"'. */
function spanningTypes(ctx: BuildContext): string {
  return ctx.config.registry.mediaTypes
    .filter((t) => t.spansVolumes)
    .map((t) => `media.type: ${JSON.stringify(t.name)}`)
    .join(' or ');
}

async function planSet(ctx: BuildContext, job: MediaJob, type: MediaType): Promise<VolumePlan[]> {
  const capacity = job.media.capacity;
  const layout = await splitLargeWims(ctx, job, assertLayout(ctx.layout), capacity);
  const essential = layout.filter((f) => !isSpreadable(f));
  const spread = layout.filter(isSpreadable);
  const reserve = setManifest(job.media.label, [{ number: 1, label: job.media.label, files: layout }]).length + 8 * 2048;
  const first = await measure(ctx, job, type, { number: 1, label: job.media.label, files: essential }, '');
  if (first + reserve > capacity) throw bootTooLarge(first + reserve, capacity, job.media.sizeSpec);
  const other = await measure(ctx, job, type, { number: 2, label: job.media.label, files: [] }, '');
  let plan = assignVolumes(job.media.label, essential, spread, { first: capacity - first - reserve, other: capacity - other - reserve });
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const manifest = setManifest(job.media.label, plan);
    const sizes = await Promise.all(plan.map((v) => measure(ctx, job, type, v, manifest)));
    const over = sizes.findIndex((size) => size > capacity);
    if (over < 0) return plan;
    plan = moveOverflow(plan, over, sizes[over] - capacity, job.media);
  }
  throw new CapmediaError('MEDIA_TOO_SMALL', `Could not plan volumes that each fit ${formatBytes(capacity)} after ${MAX_ROUNDS} rounds.`, {
    hint: 'Use a larger media.size.',
  });
}

/** Moves files from the end of an overfull volume to the start of the next one, until the excess is covered. */
function moveOverflow(plan: VolumePlan[], index: number, excess: number, media: MediaJob['media']): VolumePlan[] {
  const next = plan.map((v) => ({ ...v, files: [...v.files] }));
  const volume = next[index];
  if (!next[index + 1]) next.push({ number: index + 2, label: volumeLabel(media.label, index + 2), files: [] });
  let moved = 0;
  const movable = volume.files.filter(isSpreadable);
  while (moved < excess + 2048 && movable.length) {
    const file = movable.pop()!;
    volume.files.splice(volume.files.indexOf(file), 1);
    next[index + 1].files.unshift(file);
    moved += fileCost(file);
  }
  if (moved < excess)
    throw new CapmediaError(
      'MEDIA_TOO_SMALL',
      `Volume ${index + 1} exceeds the capacity by ${formatBytes(excess)} with nothing left to move.`,
      { hint: 'Use a larger media.size.' },
    );
  return next;
}

function volumeDirs(job: MediaJob, number: number) {
  return { treeDir: join(job.stagingDir, `vol-${number}`, 'tree'), workDir: join(job.stagingDir, `vol-${number}`, 'work') };
}

async function volumeInput(
  ctx: BuildContext,
  job: MediaJob,
  type: MediaType,
  volume: VolumePlan,
  manifest: string,
  output: string,
): Promise<PackInput> {
  const dirs = volumeDirs(job, volume.number);
  const extraFiles: Array<[string, string]> = manifest ? [[SET_MANIFEST, manifest]] : [];
  const spec = { ...dirs, label: volume.label, autorun: job.media.autorun && volume.number === 1, extraFiles };
  const layOut = type.packsFromStore ? layOutGenerated : layOutTree;
  job.trees.set(dirs.treeDir, await refreshTree(ctx, spec, volume.files, job.trees.get(dirs.treeDir), layOut));
  return {
    ...(type.packsFromStore ? { content: { files: volume.files, blobPath: (sha256: string) => ctx.store.path(sha256) } } : {}),
    ...dirs,
    output,
    label: volume.label,
    platform: ctx.resolved!.platform,
    exec: ctx.exec,
    env: ctx.toolEnv,
    sourceDateEpoch: ctx.sourceDateEpoch,
    signal: ctx.options.signal,
    notice: (message) => ctx.notices.push(`${job.media.name} volume ${volume.number}: ${message}`),
    media: job.media,
    bootable: volume.number === 1,
  };
}

async function measure(ctx: BuildContext, job: MediaJob, type: MediaType, volume: VolumePlan, manifest: string): Promise<number> {
  return type.estimateSize!(
    await volumeInput(ctx, job, type, volume, manifest, join(volumeDirs(job, volume.number).workDir, 'estimate.iso')),
  );
}

async function packVolume(ctx: BuildContext, job: MediaJob, type: MediaType, volume: VolumePlan, manifest: string, temp: string) {
  const final = volumeFileName(job.media.output, volume.number);
  const result = await type.pack(await volumeInput(ctx, job, type, volume, manifest, temp));
  if (result.size > job.media.capacity) {
    throw new CapmediaError(
      'MEDIA_TOO_SMALL',
      `Volume ${volume.number} came out at ${formatBytes(result.size)}, over the capacity ${formatBytes(job.media.capacity)}.`,
      { hint: 'Use a larger media.size; please report this as a bug.' },
    );
  }
  return { temp, final, size: result.size, sha256: result.sha256, label: result.volumeLabel, files: volume.files };
}
