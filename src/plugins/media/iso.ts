import { writeIso } from '../../tools/xorriso.js';
import { describeMapping, isoVolumeId } from './labels.js';
import type { MediaType } from './types.js';

/** CD/DVD media: one hybrid ISO 9660 image per volume. */
export const isoMedia: MediaType = {
  name: 'iso',
  async pack(input) {
    const volumeId = isoVolumeId(input.label);
    const mapping = describeMapping('ISO volume', input.label, volumeId);
    if (mapping) input.notice(mapping);
    const bootArgs = await input.platform.isoBootArgs(input);
    const written = await writeIso({
      workDir: input.workDir,
      treeDir: input.treeDir,
      output: input.output,
      volumeId: volumeId.value,
      sourceDateEpoch: Number(input.env.SOURCE_DATE_EPOCH),
      bootArgs,
      exec: input.exec,
      env: input.env,
      cancelSignal: input.signal,
    });
    return { output: input.output, size: written.size, sha256: written.sha256, volumeLabel: volumeId.value };
  },
};
