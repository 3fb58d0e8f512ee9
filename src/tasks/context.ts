import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { ContentStore } from '../cache/store.js';
import { ActionCache } from '../cache/actions.js';
import { StatCache } from '../cache/stat-cache.js';
import type { Preimage } from '../cache/key.js';
import type { NormalizedConfig, NormalizedMedia } from '../config/normalize.js';
import type { PackageManifest } from '../library/manifest.js';
import type { BootPlatform } from '../plugins/boot/types.js';
import type { DistributionPoint } from '../plugins/dp/types.js';
import type { Exec } from '../tools/exec.js';
import type { ActionRecord } from '../cache/actions.js';
import { openRemoteCache, Uploads, type RemoteCache } from '../cache/remote/index.js';
import { emptyStats, type CacheStats } from '../cache/remote/stats.js';
import { lockPathFor, type LockFile } from '../lock/lockfile.js';
import { shardOf, type Shard } from '../lock/shard.js';

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
}

export interface ResolvedContent {
  bootImage: PackageManifest;
  platform: BootPlatform;
  content: PackageManifest[];
  /** Every package as capmedia.lock records it (what the media carry). */
  lock: LockFile;
  /** The packages read by their pinned manifest hash rather than as "latest". */
  pinned: ReadonlySet<string>;
}

/** One file of the media: where it goes and which blob of the content store holds it. */
export interface LayoutEntry {
  target: string;
  sha256: string;
  size: number;
  /** The package it comes from ('' for files capmedia generates). */
  packageId: string;
}

/** A step's cache key, its pre-image (for explanations) and whether a record exists. */
export interface StepKey {
  key: string;
  preimage: Preimage;
}

/** One media entry's way through stage → pack → split → label. */
export interface MediaJob {
  media: NormalizedMedia;
  /** Stable id of this media entry (config file + name), for staging and "last build" records. */
  id: string;
  stagingDir: string;
  treeDir: string;
  workDir: string;
  packKey?: StepKey;
  publishKey?: StepKey;
  /** Set when the published outputs already match the publish key: nothing to do. */
  upToDate?: PublishedOutput[];
  stagedBytes?: number;
  packed?: { output: string; size: number; volumeLabel: string; sha256?: string };
  volumes?: Array<{ temp: string; final: string; size: number; sha256?: string; label: string; files?: LayoutEntry[] }>;
  /** Which files each volume tree in staging holds (tree folder → signature), so unchanged trees are not laid out again. */
  trees: Map<string, string>;
  /** Set by pack when the content does not fit media.size: split writes a set of volumes instead. */
  oversize?: number;
  published?: PublishedOutput[];
  /** --keep-going: why this media failed; its later steps are skipped. */
  failure?: unknown;
  /** The remote cache holds this media's finished volumes (its record, until they are downloaded). */
  remoteRecord?: ActionRecord<MediaRecord>;
  /** The volumes came down from the remote cache: pack and split have nothing to do. */
  restored?: MediaRecord;
}

/** What a media's remote record holds: its finished volumes, by hash, and what `verify` checks them against. */
export interface MediaRecord {
  volumes: Array<{ sha256: string; size: number; label: string; files: LayoutEntry[] }>;
  /** SMS/data/MediaSet.json of a set, also written beside the outputs. */
  setManifest?: string;
}

export interface PublishedOutput {
  media: string;
  path: string;
  size: number;
  sha256: string;
  label: string;
}

export interface BuildContext {
  config: NormalizedConfig;
  options: BuildOptions;
  exec: Exec;
  /** Environment for the tools: SOURCE_DATE_EPOCH pinned so every tool stamps the same time. */
  toolEnv: Record<string, string>;
  sourceDateEpoch: number;
  dps: DistributionPoint[];
  store: ContentStore;
  jobs: MediaJob[];
  /** Confirmation before destructive writes: --yes, else the interactive prompt, else no. */
  confirm: (question: string) => Promise<boolean>;
  /** Things the user should read after the build: label mappings, driver warnings. */
  notices: string[];
  resolved?: ResolvedContent;
  actions: ActionCache;
  statCache: StatCache;
  stageKey?: StepKey;
  /** Tool versions, probed once per build (part of the pack key). */
  toolIds?: Promise<Record<string, string>>;
  /** The staged layout: from the stage record when cached, else from staging. */
  layout?: LayoutEntry[];
  /** Why the stage step is skipped, when it is. */
  stageCached?: boolean;
  /** For each package id, the healthy distribution points in order of preference. */
  sources?: Map<string, DistributionPoint[]>;
  /** The fleet's shared cache (cache.remote), when configured. */
  remote?: RemoteCache;
  /** The stage record of the remote cache, when stage is not cached here. */
  remoteStage?: ActionRecord<{ files: LayoutEntry[] }>;
  uploads: Uploads;
  cacheStats: CacheStats;
  /** capmedia.lock beside the config, and what it held when the build started. */
  lockPath: string;
  lock?: LockFile;
}

/**
 * Without SOURCE_DATE_EPOCH we use 1980-01-01T00:00:00Z (the FAT epoch, the
 * earliest time every target file system can hold) so builds stay reproducible.
 */
export const DEFAULT_SOURCE_DATE_EPOCH = 315_532_800;

export function createBuildContext(config: NormalizedConfig, options: BuildOptions): BuildContext {
  const env = options.env ?? process.env;
  const epoch = env.SOURCE_DATE_EPOCH && /^\d+$/.test(env.SOURCE_DATE_EPOCH) ? Number(env.SOURCE_DATE_EPOCH) : DEFAULT_SOURCE_DATE_EPOCH;
  const notices: string[] = [];
  const named = options.mediaNames?.length ? config.media.filter((m) => options.mediaNames!.includes(m.name)) : config.media;
  const wanted = options.shard ? shardOf(named, options.shard) : named;
  return {
    config,
    options,
    exec: options.exec,
    toolEnv: { SOURCE_DATE_EPOCH: String(epoch), TZ: 'UTC', LC_ALL: 'C' },
    sourceDateEpoch: epoch,
    dps: config.distributionPoints.map((dp) => config.registry.openDistributionPoint(dp)),
    store: new ContentStore(join(config.cacheDir, 'cas')),
    actions: new ActionCache(config.cacheDir),
    statCache: new StatCache(config.cacheDir),
    jobs: wanted.map((media) => mediaJob(config, media)),
    notices,
    remote: openRemoteCache(config, env, notices, options.signal),
    uploads: new Uploads(),
    cacheStats: emptyStats(),
    lockPath: lockPathFor(config),
    confirm: async (question) => Boolean(options.assumeYes) || (options.ask ? options.ask(question) : false),
  };
}

function mediaJob(config: NormalizedConfig, media: NormalizedMedia): MediaJob {
  const id = createHash('sha256')
    .update(`${config.configFile ?? config.baseDir}\0${media.name}`)
    .digest('hex')
    .slice(0, 12);
  const stagingDir = join(media.staging, `capmedia-${media.name}-${id}`);
  // the id names the "last build" record too: a different output path is a different media
  return { media, id, stagingDir, treeDir: join(stagingDir, 'tree'), workDir: join(stagingDir, 'work'), trees: new Map() };
}
