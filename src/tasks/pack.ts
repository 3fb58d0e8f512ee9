import { rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ioError } from '../errors/index.js';
import type { PackInput } from '../plugins/media/types.js';
import { makeDirs } from '../fs/make-dirs.js';
import { partialPath, removeStalePartials } from '../fs/atomic.js';
import { checkFreeSpace } from '../fs/space.js';
import { releasePageCache } from '../fs/page-cache.js';
import type { BuildContext, MediaJob } from './context.js';
import { layoutBytes } from './layout.js';
import type { Packed, Resolved, StagedContent } from './results.js';
import { layOutGenerated, layOutTree, storeContent } from './tree.js';
import { claimStaging } from './staging-owner.js';
import { derivedCache } from './derived-cache.js';

/** Room for the image beyond its files: file-system overhead and the boot records. */
const IMAGE_OVERHEAD = 32 * 2 ** 20;

/** Lays out the staged content and packs it into one image, or says it is too large for one volume. */
export async function packMedia(ctx: BuildContext, resolved: Resolved, job: MediaJob, content: StagedContent): Promise<Packed> {
  const { media } = job;
  const { services } = ctx;
  const outDir = dirname(media.output);
  try {
    await makeDirs(outDir);
  } catch (error) {
    throw ioError('create the output folder', outDir, error);
  }
  await removeStalePartials(media.output);
  await rm(job.stagingDir, { recursive: true, force: true });
  await claimStaging(job.stagingDir);
  const contentBytes = layoutBytes(content.layout);
  const type = ctx.config.registry.mediaType(media.type);
  // More content than capacity can never fit one volume: go straight to planning a set.
  if (type.spansVolumes && contentBytes > media.capacity) return { kind: 'oversize', content, size: contentBytes };
  const spec = { treeDir: job.treeDir, workDir: job.workDir, label: media.label, autorun: media.autorun };
  // A media type that packs from the store (ISO) gets the blobs' paths; only the files capmedia writes are laid out.
  const layOut = type.packsFromStore ? layOutGenerated : layOutTree;
  const stagedBytes = await layOut({ content, sourceDateEpoch: services.sourceDateEpoch }, spec, content.layout);
  const temp = type.partialOutput?.(media, job.workDir) ?? partialPath(media.output);
  await checkFreeSpace(dirname(temp), stagedBytes + IMAGE_OVERHEAD, type.partialOutput ? 'media.staging' : `media.${type.output.key}`);
  const input: PackInput = {
    treeDir: job.treeDir,
    workDir: job.workDir,
    output: temp,
    label: media.label,
    platform: resolved.platform,
    exec: services.exec,
    env: { ...services.toolEnv },
    sourceDateEpoch: services.sourceDateEpoch,
    signal: services.signal,
    notice: (message: string) => services.notices.push(`${media.name}: ${message}`),
    media,
    derived: derivedCache(services),
    ...(type.packsFromStore ? { content: storeContent(services.store, content.layout) } : {}),
  };
  // Measured, not guessed: when the content may not fit, ask the media type for the exact size first.
  if (type.spansVolumes && type.estimateSize && stagedBytes > media.capacity * 0.9) {
    const size = await type.estimateSize(input);
    if (size > media.capacity) return { kind: 'oversize', content, size };
  }
  // The previous image stays whole until the new one is in place; its memory is the new one's to reuse.
  await releasePageCache(services.exec, media.output, services.signal);
  try {
    return { kind: 'packed', content, ...(await type.pack(input)) };
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    throw error;
  }
}
