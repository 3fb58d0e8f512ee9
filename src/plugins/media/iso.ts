import { writeIso, estimateIsoSize } from '../../tools/xorriso.js';
import { describeMapping, isoVolumeId, jolietVolumeId } from './labels.js';
import { JOLIET_NAMES } from './name-rules.js';
import type { MediaType, PackInput } from './types.js';

async function isoOptions(input: PackInput, quiet = false) {
  const volumeId = isoVolumeId(input.label);
  const mapping = describeMapping('ISO volume', input.label, volumeId);
  if (mapping && !quiet) input.notice(mapping);
  const joliet = jolietVolumeId(input.label, { keepSuffix: input.bootable === false });
  if (!quiet) input.notice(windowsShows(joliet));
  const bootArgs = input.bootable === false ? [] : await input.platform.isoBootArgs(input);
  return {
    volumeId: volumeId.value,
    jolietVolumeId: joliet.value,
    treeDir: input.treeDir,
    output: input.output,
    workDir: input.workDir,
    bootArgs,
    exec: input.exec,
    env: input.env,
    cancelSignal: input.signal,
    sourceDateEpoch: Number(input.env.SOURCE_DATE_EPOCH),
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
  async pack(input) {
    const options = await isoOptions(input);
    const written = await writeIso(options);
    return { output: input.output, size: written.size, sha256: written.sha256, volumeLabel: options.volumeId };
  },
  async estimateSize(input) {
    return estimateIsoSize(await isoOptions(input, true));
  },
};
