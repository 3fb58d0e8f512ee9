import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cacheKey, type Preimage } from '../cache/key.js';
import { sha256Hex } from '../library/hash.js';
import { TEMPLATES_DIR } from '../templates.js';
import { taskSequenceDocument } from '../tasksequence/build.js';
import type { NormalizedConfig } from '../config/normalize.js';
import type { MediaJob } from './context.js';
import type { Resolved, StepKey } from './results.js';
import { placements } from './layout.js';
import type { LockFile } from '../lock/lockfile.js';
import { redactDeep } from '../redact.js';

/**
 * Each step's key is the hash of exactly what it reads. Bump a version when
 * the step's code changes what it produces.
 */
const STAGE_VERSION = 1;
const PACK_VERSION = 3;
const PUBLISH_VERSION = 1;

/**
 * The key sees every byte; the stored pre-image (shown by plan, shared by a remote cache) never holds a URL's secret.
 * Redacted when first read (a record written, plan's diff): a no-op build reads none, and stage's lists every file.
 */
function keyed(preimage: Preimage): StepKey {
  let redacted: Preimage | undefined;
  return {
    key: cacheKey(preimage),
    get preimage() {
      return (redacted ??= redactDeep(preimage));
    },
  };
}

/** Stage reads the packages' files (by hash, relative paths) and the task sequence. */
export function stageKey(config: NormalizedConfig, resolved: Resolved): StepKey {
  return keyed({
    step: 'stage',
    version: STAGE_VERSION,
    files: placements(resolved).map((f) => [f.target, f.sha256, f.size]),
    taskSequence: taskSequenceDocument(config),
    platform: platformId(resolved),
    // SMS/data/MediaContent.json: which package versions the media say they carry
    packages: packageVersions(resolved.lock),
  });
}

const platformId = (resolved: Resolved) => `${resolved.platform.name}@${resolved.platform.version ?? '1'}`;

/** What pack reads besides the staged files and the media's own settings. */
export interface PackInputs {
  config: NormalizedConfig;
  resolved: Resolved;
  /** Tool versions, probed once per build. */
  tools: Record<string, string>;
  sourceDateEpoch: number;
}

/** id → "version (manifest sha256)", so plan can say which package moved. */
export function packageVersions(lock: LockFile): Record<string, string> {
  return Object.fromEntries(Object.entries(lock.packages).map(([id, e]) => [id, `${e.version} (${e.manifestSha256.slice(0, 12)})`]));
}

/** Pack reads the staged layout, the media settings that shape the image, tools and time. */
export async function packKey(inputs: PackInputs, job: MediaJob, stage: StepKey): Promise<StepKey> {
  const { media } = job;
  return keyed({
    step: 'pack',
    version: PACK_VERSION,
    stage: stage.key,
    type: media.type,
    label: media.label,
    autorun: media.autorun,
    options: inputs.config.registry.mediaType(media.type).cacheInputs(media),
    platform: platformId(inputs.resolved),
    tools: inputs.tools,
    sourceDateEpoch: inputs.sourceDateEpoch,
    templates: await templateHash(),
  });
}

/** Split and label read the packed image, the capacity and where the outputs go. */
export function publishKey(job: MediaJob, pack: StepKey): StepKey {
  return keyed({ step: 'publish', version: PUBLISH_VERSION, pack: pack.key, size: job.media.sizeSpec, output: job.media.output });
}

let templates: Promise<string> | undefined;
function templateHash(): Promise<string> {
  templates ??= Promise.all(['MediaLabel.txt', 'autorun.inf'].map((name) => readFile(join(TEMPLATES_DIR, name)))).then((parts) =>
    sha256Hex(Buffer.concat(parts)).slice(0, 16),
  );
  return templates;
}
