import { cacheKey } from '../../cache/key.js';
import { credentialMode } from '../../tasksequence/credentials.js';
import type { NormalizedConfig } from '../../config/normalize.js';
import type { MediaJob } from '../context.js';
import type { JobPlan } from '../results.js';

const MEDIA_RECORD_VERSION = 1;

/**
 * The key of a media's finished volumes: the pack key (everything that shapes
 * the image) and the capacity (how it splits). Not the output path, which
 * differs between runners and does not change a byte of the image.
 */
export function mediaRecordKey(job: JobPlan): string {
  return cacheKey({ step: 'media', version: MEDIA_RECORD_VERSION, pack: job.packKey.key, size: job.job.media.sizeSpec });
}

/**
 * Only media that are whole image files travel: a USB drive is written from
 * a temporary image, and `format: false` changes what is already there.
 */
export function travels(config: NormalizedConfig, job: MediaJob): boolean {
  const type = config.registry.mediaType(job.media.type);
  const records = type.recordsPath ? type.recordsPath(job.media) : job.media.output;
  return job.media.format !== false && records !== undefined;
}

/** An embedded password is in TaskSequence.vars (and boot.wim for WinPE): nothing holding it leaves this machine. */
export function holdsSecret(config: NormalizedConfig): boolean {
  return credentialMode(config) === 'embedded';
}
