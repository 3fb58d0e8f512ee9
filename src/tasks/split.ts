import { join } from 'node:path';
import { rm } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { fail } from '../errors/index.js';
import { formatBytes } from '../config/size.js';
import { mapPool, taskSlots } from '../cache/pool.js';
import type { MediaType, PackInput } from '../plugins/media/types.js';
import type { Exec } from '../tools/exec.js';
import type { BuildContext, MediaJob } from './context.js';
import type { Packed, Resolved, StagedContent, Volume, Volumes } from './results.js';
import { partialPath } from '../fs/atomic.js';
import { releasePageCache } from '../fs/page-cache.js';
import { layOutGenerated, layOutTree, refreshTree, storeContent } from './tree.js';
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
import { derivedCache } from './derived-cache.js';

/** Two volumes are written at once: xorriso is I/O bound, and the machine may have 2 cores. */
const PACK_PARALLELISM = 2;
/**
 * Volumes in flight: those being written and those whose hash still catches
 * up with what xorriso wrote (the hash follows the image as it is written).
 * The next volume's xorriso starts as soon as a slot is free, not once the
 * hash of the volume before is done: with one hashing thread for 2 × 200 MB at
 * once, the hash ended ~0.25 s after xorriso, with a core idle.
 */
const VOLUMES_IN_FLIGHT = 2 * PACK_PARALLELISM;
/** An estimate is one short CPU-bound xorriso run: more at once than cores only queues them (and their forks). */
const ESTIMATE_PARALLELISM = Math.max(1, availableParallelism());
const MAX_ROUNDS = 8;

/** What planning and packing the volumes of one media share: its inputs, and which tree each volume folder holds. */
interface SetRun {
  ctx: BuildContext;
  resolved: Resolved;
  job: MediaJob;
  type: MediaType;
  estimateSize: (input: PackInput) => Promise<number>;
  content: StagedContent;
  /** Which files each volume tree in staging holds (tree folder → signature), so unchanged trees are not laid out again. */
  trees: Map<string, string>;
}

/**
 * R8/R9: when the media hold more than media.size, the content is spread over
 * several sequence-numbered volumes that each fit; only volume 1 boots.
 */
export async function splitMedia(
  ctx: BuildContext,
  resolved: Resolved,
  job: MediaJob,
  packed: Exclude<Packed, { kind: 'restored' }>,
): Promise<Volumes> {
  if (packed.kind === 'packed' && packed.size <= job.media.capacity) {
    const { output: temp, size, sha256, volumeLabel: label } = packed;
    return {
      volumes: [{ temp, final: job.media.output, size, sha256, label, files: packed.content.layout }],
      setManifest: undefined,
      restored: false,
    };
  }
  const { media } = job;
  const type = ctx.config.registry.mediaType(media.type);
  const estimateSize = type.spansVolumes ? type.estimateSize?.bind(type) : undefined;
  if (!estimateSize) {
    const spanning = spanningTypes(ctx);
    throw fail('mediaCannotSpan', { type: media.type, size: packed.size, sizeSpec: media.sizeSpec, capacity: media.capacity, spanning });
  }
  const run: SetRun = { ctx, resolved, job, type, estimateSize, content: packed.content, trees: new Map() };
  const plan = await planSet(run);
  const manifest = setManifest(job.media.label, plan);
  const temps = plan.map((volume) => partialPath(volumeFileName(job.media.output, volume.number)));
  let volumes: Volume[];
  try {
    const slots = taskSlots(PACK_PARALLELISM);
    const writing: Exec = (file, args, options) => slots(() => ctx.services.exec(file, args, options));
    volumes = await mapPool(plan, VOLUMES_IN_FLIGHT, (volume) => packVolume(run, volume, manifest, temps[volume.number - 1], writing));
  } catch (error) {
    await Promise.all(temps.map((temp) => rm(temp, { force: true })));
    throw error;
  }
  ctx.services.notices.push(
    `${job.media.name}: ${formatBytes(packed.size)} do not fit media.size ${JSON.stringify(job.media.sizeSpec)}: written as ${plan.length} volumes`,
  );
  return { volumes, setManifest: plan.length > 1 ? manifest : undefined, restored: false };
}

/** The media types that write a set of volumes, as config values: 'media.type: "iso"'. */
function spanningTypes(ctx: BuildContext): string {
  return ctx.config.registry.mediaTypes
    .filter((t) => t.spansVolumes)
    .map((t) => `media.type: ${JSON.stringify(t.name)}`)
    .join(' or ');
}

async function planSet(run: SetRun): Promise<VolumePlan[]> {
  const { job } = run;
  const capacity = job.media.capacity;
  const layout = await splitLargeWims(run.ctx, job, run.content.layout, capacity);
  const essential = layout.filter((f) => !isSpreadable(f));
  const spread = layout.filter(isSpreadable);
  const reserve = setManifest(job.media.label, [{ number: 1, label: job.media.label, files: layout }]).length + 8 * 2048;
  // Volume 1's fixed part and an empty data volume are independent: both xorriso runs at once.
  const [first, other] = await Promise.all([
    measure(run, { number: 1, label: job.media.label, files: essential }, ''),
    measure(run, { number: 2, label: job.media.label, files: [] }, ''),
  ]);
  if (first + reserve > capacity) throw bootTooLarge(first + reserve, capacity, job.media.sizeSpec);
  let plan = assignVolumes(job.media.label, essential, spread, { first: capacity - first - reserve, other: capacity - other - reserve });
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const manifest = setManifest(job.media.label, plan);
    const sizes = await mapPool(plan, ESTIMATE_PARALLELISM, (v) => measure(run, v, manifest));
    const over = sizes.findIndex((size) => size > capacity);
    if (over < 0) return plan;
    plan = moveOverflow(plan, over, sizes[over] - capacity, job.media);
  }
  throw fail('volumesDoNotSettle', { capacity, rounds: MAX_ROUNDS });
}

/** Moves files from the end of an overfull volume to the start of the next one, until the excess is covered. */
function moveOverflow(plan: VolumePlan[], index: number, excess: number, media: MediaJob['media']): VolumePlan[] {
  const next = plan.map((v) => ({ ...v, files: [...v.files] }));
  const volume = next[index];
  if (!next[index + 1]) next.push({ number: index + 2, label: volumeLabel(media.label, index + 2), files: [] });
  let moved = 0;
  const movable = volume.files.filter(isSpreadable);
  for (let file = movable.pop(); file && moved < excess + 2048; file = movable.pop()) {
    volume.files.splice(volume.files.indexOf(file), 1);
    next[index + 1].files.unshift(file);
    moved += fileCost(file);
  }
  if (moved < excess) throw fail('volumeOverflows', { number: index + 1, excess });
  return next;
}

function volumeDirs(job: MediaJob, number: number) {
  return { treeDir: join(job.stagingDir, `vol-${number}`, 'tree'), workDir: join(job.stagingDir, `vol-${number}`, 'work') };
}

async function volumeInput(run: SetRun, volume: VolumePlan, manifest: string, output: string, exec: Exec): Promise<PackInput> {
  const { job, trees, resolved, type } = run;
  const { services } = run.ctx;
  const dirs = volumeDirs(job, volume.number);
  const extraFiles: Array<[string, string]> = manifest ? [[SET_MANIFEST, manifest]] : [];
  const spec = { ...dirs, label: volume.label, autorun: job.media.autorun && volume.number === 1, extraFiles };
  const source = { content: run.content, sourceDateEpoch: services.sourceDateEpoch };
  // A media type that packs from the store (ISO) gets the blobs' paths; only the files capmedia writes are laid out.
  const layOut = type.packsFromStore ? layOutGenerated : layOutTree;
  trees.set(dirs.treeDir, await refreshTree(source, spec, volume.files, trees.get(dirs.treeDir), layOut));
  return {
    ...(type.packsFromStore ? { content: storeContent(services.store, volume.files) } : {}),
    ...dirs,
    output,
    label: volume.label,
    platform: resolved.platform,
    exec,
    env: { ...services.toolEnv },
    sourceDateEpoch: services.sourceDateEpoch,
    signal: services.signal,
    notice: (message) => services.notices.push(`${job.media.name} volume ${volume.number}: ${message}`),
    media: job.media,
    bootable: volume.number === 1,
    derived: derivedCache(services),
  };
}

async function measure(run: SetRun, volume: VolumePlan, manifest: string): Promise<number> {
  const output = join(volumeDirs(run.job, volume.number).workDir, 'estimate.iso');
  return run.estimateSize(await volumeInput(run, volume, manifest, output, run.ctx.services.exec));
}

async function packVolume(run: SetRun, volume: VolumePlan, manifest: string, temp: string, exec: Exec): Promise<Volume> {
  const { job } = run;
  const final = volumeFileName(job.media.output, volume.number);
  await releasePageCache(exec, final, run.ctx.services.signal);
  const result = await run.type.pack(await volumeInput(run, volume, manifest, temp, exec));
  if (result.size > job.media.capacity)
    throw fail('volumeOverCapacity', { number: volume.number, size: result.size, capacity: job.media.capacity });
  return { temp, final, size: result.size, sha256: result.sha256, label: result.volumeLabel, files: volume.files };
}
