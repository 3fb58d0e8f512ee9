import { join } from 'node:path';
import { writeIso, estimateIsoSize, type IsoOptions } from '../../../tools/xorriso.js';
import { describeMapping, isoVolumeId, jolietVolumeId } from '../labels.js';
import { JOLIET_NAMES } from '../name-rules.js';
import type { MediaType, PackInput, StoreContent } from '../types.js';
import { prepareBootRecords, type Graft } from './boot-records.js';
import { mediaSources, writeGraftList } from './graft-list.js';
import { inspectIsoMedia } from './inspect.js';
import { sizePreimage } from './size-key.js';
import { isoOptions } from './options.js';

type IsoPackOptions = IsoOptions & { workDir: string; graftList: string };

async function isoPackOptions(input: PackInput, quiet = false): Promise<IsoPackOptions> {
  const volumeId = isoVolumeId(input.label);
  const mapping = describeMapping('ISO volume', input.label, volumeId);
  if (mapping && !quiet) input.notice(mapping);
  const joliet = jolietVolumeId(input.label, { keepSuffix: input.bootable === false });
  if (!quiet) input.notice(windowsShows(joliet));
  const { bootArgs, pathList, graftList } = await graftedContent(input, quiet);
  return {
    graftList,
    volumeId: volumeId.value,
    jolietVolumeId: joliet.value,
    sources: { pathList },
    output: input.output,
    workDir: input.workDir,
    bootArgs,
    exec: input.exec,
    env: input.env,
    cancelSignal: input.signal,
    sourceDateEpoch: input.sourceDateEpoch,
  };
}

/** The graft list of every file (blobs + the staged tree) and the boot records the platform describes for them. */
async function graftedContent(input: PackInput, quiet: boolean): Promise<{ bootArgs: string[]; pathList: string; graftList: string }> {
  const sources = await mediaSources(input.content, input.treeDir);
  let bootArgs: string[] = [];
  let grafts: Graft[] = [];
  if (input.bootable !== false) {
    const files = [...sources.keys()].map((target) => ({ target }));
    const boot = input.platform.isoBoot({ files, notice: quiet ? undefined : input.notice });
    const { workDir, exec, env, derived } = input;
    const records = { sources, platform: input.platform.name, workDir, exec, env, derived, knownSha256: blobHashes(input.content) };
    ({ args: bootArgs, grafts } = await prepareBootRecords(boot, records));
  }
  const pathList = join(input.workDir, 'graft-points');
  const graftList = await writeGraftList(pathList, sources, grafts);
  return { bootArgs, pathList, graftList };
}

/** A file's sha256 when its source is its blob (a file capmedia wrote in the tree is not). */
function blobHashes(content: StoreContent | undefined): (target: string, source: string) => string | undefined {
  const hashes = new Map(content?.files.map((file) => [file.target, file.sha256]));
  return (target, source) => {
    const sha256 = hashes.get(target);
    return sha256 !== undefined && content?.blobPath(sha256) === source ? sha256 : undefined;
  };
}

function windowsShows(joliet: ReturnType<typeof jolietVolumeId>): string {
  const why = joliet.changes.length ? `: ${joliet.changes.join('; ')}` : '';
  return `Windows shows the mounted ISO as ${JSON.stringify(joliet.value)} (Joliet volume name, at most 16 characters${why})`;
}

/** CD/DVD media: one hybrid ISO 9660 image per volume; only a bootable volume gets boot records. */
export const isoMedia: MediaType = {
  name: 'iso',
  nameRules: JOLIET_NAMES,
  options: isoOptions,
  output: { key: 'file', kind: 'file', help: 'an ISO needs media.file, the output path (e.g. "out/capture.iso")', example: 'capture.iso' },
  // Label and autorun are keyed by the pack step for every type; a set splits large .wim files only when asked.
  cacheInputs: (media) => ({ splitLargeFiles: media.splitLargeFiles }),
  spansVolumes: true,
  // xorriso grafts every file from its blob: a label-only rebuild is xorriso and the hash of what it writes.
  packsFromStore: true,
  inspect: inspectIsoMedia,
  async pack(input) {
    const options = await isoPackOptions(input);
    const written = await writeIso(options);
    return { output: input.output, size: written.size, sha256: written.sha256, volumeLabel: options.volumeId };
  },
  async estimateSize(input) {
    const options = await isoPackOptions(input, true);
    if (!input.derived) return estimateIsoSize(options);
    const preimage = await sizePreimage(options, input.treeDir);
    return input.derived.value({ kind: 'iso-size', preimage, tools: ['xorriso'], compute: () => estimateIsoSize(options) });
  },
};
