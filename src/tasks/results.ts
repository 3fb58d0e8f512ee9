import type { ActionRecord } from '../cache/actions.js';
import type { Preimage } from '../cache/key.js';
import type { PackageManifest } from '../library/manifest.js';
import type { LockFile } from '../lock/lockfile.js';
import type { BootPlatform } from '../plugins/boot/types.js';
import type { DistributionPoint } from '../plugins/dp/types.js';
import type { MediaJob } from './context.js';
import type { LayoutEntry } from './layout.js';

/**
 * What each step hands the next (SPEC §2): Resolved → Plan → Staged →
 * Packed | Oversize → Volumes → Published. Each is made whole by the step
 * that produces it; no later step fills it in.
 */

/** A step's cache key and its pre-image (for explanations). */
export interface StepKey {
  key: string;
  preimage: Preimage;
}

/** The packages the media carry, as resolved against the distribution points and capmedia.lock. */
export interface Resolved {
  bootImage: PackageManifest;
  platform: BootPlatform;
  content: PackageManifest[];
  /** Every package as capmedia.lock records it (what the media carry). */
  lock: LockFile;
  /** The packages read by their pinned manifest hash rather than as "latest". */
  pinned: ReadonlySet<string>;
}

export interface PublishedOutput {
  media: string;
  path: string;
  size: number;
  sha256: string;
  label: string;
}

/** What a media's remote record holds: its finished volumes, by hash, and what `verify` checks them against. */
export interface MediaRecord {
  volumes: Array<{ sha256: string; size: number; label: string; files: LayoutEntry[] }>;
  /** SMS/data/MediaSet.json of a set, also written beside the outputs. */
  setManifest?: string;
}

export interface StageRecord {
  files: LayoutEntry[];
}

export interface PublishRecord {
  outputs: PublishedOutput[];
}

/** One media's keys and what the caches hold for it. */
export interface JobPlan {
  job: MediaJob;
  packKey: StepKey;
  publishKey: StepKey;
  /** The published outputs already match the publish key: nothing to do. */
  upToDate: PublishedOutput[] | undefined;
  /** The remote cache holds this media's finished volumes (its record, until they are downloaded). */
  remoteRecord: ActionRecord<MediaRecord> | undefined;
}

export interface Plan {
  stageKey: StepKey;
  /** The local cache has a stage record for this key (counted as a hit). */
  stageRecorded: boolean;
  /** The stage step has nothing to do: its record's layout, when every blob it names is in the store (or no media is built). */
  cachedStage: readonly LayoutEntry[] | undefined;
  /** The stage record of the remote cache, once asked for. */
  remoteStage: { asked: boolean; record: ActionRecord<StageRecord> | undefined };
  jobs: JobPlan[];
}

/** For each package id, the healthy distribution points in order of preference (verify distribution's result). */
export type Sources = ReadonlyMap<string, DistributionPoint[]>;

/** The media's files, all in the content store, and how pack reaches a blob. */
export interface StagedContent {
  layout: readonly LayoutEntry[];
  /** The blob's path in the store, fetched again by the stage step's sources when it was damaged since. */
  blob: (file: LayoutEntry) => Promise<string>;
  /** Whether `blob` would find the file's blob in place, known without waiting (a stat); false when unsure. */
  inPlace: (file: LayoutEntry) => boolean;
}

/** Where one media's pack starts: the finished volumes from the remote cache, or the staged content. */
export type PackSource =
  | { from: 'remote'; record: MediaRecord }
  | { from: 'content'; content: StagedContent; remoteRecord: ActionRecord<MediaRecord> | undefined };

/** A temp image of one volume, not published yet. */
export interface Volume {
  temp: string;
  final: string;
  size: number;
  sha256?: string;
  label: string;
  files: readonly LayoutEntry[];
}

export type Packed =
  | { kind: 'packed'; content: StagedContent; output: string; size: number; volumeLabel: string; sha256?: string }
  /** More than media.size: split writes a set of volumes instead. */
  | { kind: 'oversize'; content: StagedContent; size: number }
  | { kind: 'restored'; volumes: Volume[]; setManifest: string | undefined };

export interface Volumes {
  volumes: Volume[];
  /** SMS/data/MediaSet.json of a set of more than one volume. */
  setManifest: string | undefined;
  /** The volumes came down from the remote cache (they are not uploaded again). */
  restored: boolean;
}

/**
 * How far one media got: a step's value, or why its later steps do nothing
 * (up to date from the start, or failed under --keep-going).
 */
export type MediaStep<T> =
  { state: 'done'; value: T } | { state: 'up to date'; outputs: PublishedOutput[]; key: string } | { state: 'failed'; error: unknown };
