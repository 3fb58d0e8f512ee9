import type { BuildContext } from './context.js';
import { loadLock, settleLock } from './lock.js';
import { resolveContent } from './resolve.js';
import { checkMediaNames } from './names.js';
import { planBuild } from './plan.js';
import { stageContent, stagedContent, type StageResult } from './stage.js';
import { packMedia } from './pack.js';
import { splitMedia } from './split.js';
import { publishMedia } from './label.js';
import { commitStep } from './commit.js';
import { lookupCaches, lookupRemoteStage, placeRestored, restoreMedia, stageFromRemote, uploadMedia, uploadStage } from './remote/index.js';
import { mediaRun, type MediaRun, type Planned } from './run.js';
import type { LayoutEntry } from './layout.js';
import type { MediaRecord, Packed, PackSource, PublishedOutput, Sources, Volumes } from './results.js';

/**
 * The steps as functions from their inputs to their results; src/tasks/index.ts
 * puts them in order under listr2.
 */

/** Step 1: the packages, capmedia.lock, every step's key and what the caches hold. */
export async function resolveAndPlan(ctx: BuildContext): Promise<Planned & { lockNote: string | undefined }> {
  // Tool versions (every pack key has them) are probed, on a first build, while the lock and manifests are read;
  // planBuild awaits the same promise and meets any failure there.
  ctx.services.toolIds().catch(() => undefined);
  const previousLock = await loadLock(ctx);
  const resolved = await resolveContent(ctx, previousLock);
  checkMediaNames(ctx, resolved);
  const lockNote = await settleLock(ctx, previousLock, resolved);
  const plan = await lookupCaches(ctx, await planBuild(ctx, resolved));
  return { resolved, plan, media: plan.jobs.map(mediaRun), lockNote };
}

export interface Staging {
  /** Where each media's pack starts. */
  starts: Array<{ media: MediaRun; source: PackSource }>;
  /** What was staged and fetched; undefined when every media came down finished from the remote cache. */
  staged: (StageResult & { fromRemote: boolean }) | undefined;
}

/**
 * Step 3: the finished volumes the remote cache holds come down first; when
 * some media are still to build, their content is staged (from the remote
 * cache's stage record, else from the distribution points) and recorded.
 */
export async function stageMedia(ctx: BuildContext, planned: Planned, sources: Sources | undefined, toBuild: MediaRun[]): Promise<Staging> {
  const starts: Staging['starts'] = [];
  const toStage: MediaRun[] = [];
  for (const media of toBuild) {
    const record = media.plan.remoteRecord && (await restoreMedia(ctx, media.plan.remoteRecord));
    if (record) starts.push({ media, source: { from: 'remote', record } });
    else toStage.push(media);
  }
  if (toStage.length === 0) return { starts, staged: undefined };
  const plan = { ...planned.plan, remoteStage: { asked: true, record: await lookupRemoteStage(ctx, planned.plan) } };
  const remote = await stageFromRemote(ctx, plan.remoteStage.record);
  const result = remote ?? (await stageContent(ctx, planned.resolved, sources));
  await commitStep(ctx.services, 'stage', plan.stageKey, { files: result.files });
  uploadStage(ctx, planned.resolved, plan, result.files);
  const content = stagedContent(ctx, result.files, sources);
  for (const media of toStage) starts.push({ media, source: { from: 'content', content, remoteRecord: undefined } });
  return { starts, staged: { ...result, fromRemote: remote !== undefined } };
}

/** Step 3 when its record is in the local cache: each media starts from the recorded layout. */
export function stagedBefore(ctx: BuildContext, layout: readonly LayoutEntry[], sources: Sources | undefined, media: MediaRun): PackSource {
  return { from: 'content', content: stagedContent(ctx, layout, sources), remoteRecord: media.plan.remoteRecord };
}

/** Step 4: the downloaded volumes when the remote had them (stage cached here restores them only now), else xorriso/mtools. */
export async function packOrRestore(ctx: BuildContext, planned: Planned, media: MediaRun, source: PackSource): Promise<Packed> {
  const { job } = media.plan;
  const place = (record: MediaRecord) => placeRestored(ctx, job, record, (sha256) => awaitingBlob(planned, media, sha256));
  if (source.from === 'remote') return place(source.record);
  const record = source.remoteRecord && (await restoreMedia(ctx, source.remoteRecord));
  return record ? place(record) : packMedia(ctx, planned.resolved, job, source.content);
}

/** Another media of this build came down from the remote with the same blob and has not taken it yet. */
function awaitingBlob(planned: Planned, self: MediaRun, sha256: string): boolean {
  return planned.media.some((other) => {
    if (other === self || other.packed.settled()) return false;
    const start = other.source.settled();
    return start?.state === 'done' && start.value.from === 'remote' && start.value.record.volumes.some((v) => v.sha256 === sha256);
  });
}

/** Step 5: one volume when it fits, else a set (volumes that came down finished stay as they are). */
export async function splitUnlessRestored(ctx: BuildContext, planned: Planned, media: MediaRun, packed: Packed): Promise<Volumes> {
  if (packed.kind === 'restored') return { volumes: packed.volumes, setManifest: packed.setManifest, restored: true };
  return splitMedia(ctx, planned.resolved, media.plan.job, packed);
}

/** Step 6: label and publish, then the media's upload starts in the background. */
export async function publishThenUpload(
  ctx: BuildContext,
  planned: Planned,
  media: MediaRun,
  volumes: Volumes,
): Promise<PublishedOutput[]> {
  const published = await publishMedia(ctx, planned.resolved, planned.plan, media.plan, volumes);
  uploadMedia(ctx, media.plan, volumes, published);
  return published;
}
