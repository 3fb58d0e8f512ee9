import { sourceDateEpochOf } from '../epoch.js';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import type { NormalizedConfig, NormalizedMedia } from '../config/normalize.js';
import type { Exec } from '../tools/exec.js';
import { lockPathFor } from '../lock/lockfile.js';
import { shardOf, type Shard } from '../lock/shard.js';
import { createServices, type BuildServices } from './services.js';

export interface BuildOptions {
  /** Build only these media (by name); all when empty. */
  mediaNames?: string[];
  allowMissingDrivers?: boolean;
  /** --force: ignore step records and redo every step (fetched content is still reused once verified). */
  force?: boolean;
  signal?: AbortSignal;
  exec: Exec;
  env?: NodeJS.ProcessEnv;
  /** --yes: answer confirmations with yes. */
  assumeYes?: boolean;
  /** Interactive confirmation (TTY); absent → only --yes can confirm. */
  ask?: (question: string) => Promise<boolean>;
  /** --locked: resolve every package from capmedia.lock and never write it. */
  locked?: boolean;
  /** Plan only: never write capmedia.lock. */
  readOnly?: boolean;
  /** --keep-going: a media that fails does not stop the others. */
  keepGoing?: boolean;
  /** --shard k/n: build only the k-th of n shares of the media (by name). */
  shard?: Shard;
  /** The clock (tests inject one); default: the system's. */
  now?: () => Date;
}

/** One media entry of this build: what it is and the folders it works in. Steps never change it. */
export interface MediaJob {
  readonly media: NormalizedMedia;
  /** Stable id of this media entry (config file + name), for staging and "last build" records. */
  readonly id: string;
  readonly stagingDir: string;
  readonly treeDir: string;
  readonly workDir: string;
}

/** What a build starts from: the config, the command line, the services and the media to build. Nothing here changes once made. */
export interface BuildContext {
  readonly config: NormalizedConfig;
  readonly options: BuildOptions;
  readonly services: BuildServices;
  readonly jobs: readonly MediaJob[];
  /** capmedia.lock beside the config. */
  readonly lockPath: string;
}

export function createBuildContext(config: NormalizedConfig, options: BuildOptions): BuildContext {
  const env = options.env ?? process.env;
  const sourceDateEpoch = sourceDateEpochOf(env);
  const names = options.mediaNames ?? [];
  const named = names.length ? config.media.filter((m) => names.includes(m.name)) : config.media;
  const wanted = options.shard ? shardOf(named, options.shard) : named;
  return {
    config,
    options,
    services: createServices(config, { ...options, env, sourceDateEpoch }),
    jobs: wanted.map((media) => mediaJob(config, media)),
    lockPath: lockPathFor(config),
  };
}

function mediaJob(config: NormalizedConfig, media: NormalizedMedia): MediaJob {
  const id = createHash('sha256')
    .update(`${config.configFile ?? config.baseDir}\0${media.name}`)
    .digest('hex')
    .slice(0, 12);
  const stagingDir = join(media.staging, `capmedia-${media.name}-${id}`);
  // the id names the "last build" record too: a different output path is a different media
  return { media, id, stagingDir, treeDir: join(stagingDir, 'tree'), workDir: join(stagingDir, 'work') };
}
