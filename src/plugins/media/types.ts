import type { BootPlatform, MediaFile } from '../boot/types.js';
import type { Exec } from '../../tools/exec.js';
import type { NormalizedMedia } from '../../config/media.js';
import type { z } from 'zod';
import type { NameRules } from './name-rules.js';
import type { MediaContent } from '../../lock/media-record.js';
import type { UefiChain } from '../../efi/chain.js';

/** The media's files as the content store holds them. */
export interface StoreContent {
  files: readonly MediaFile[];
  /** Where a blob's bytes are; never write to it (blobs are shared). */
  blobPath(sha256: string): string;
}

export interface PackInput {
  /**
   * The staged media tree. For a media type that packsFromStore it holds only
   * the files capmedia writes (MediaLabel.txt, autorun.inf, a set's manifest);
   * the others are in `content`.
   */
  treeDir: string;
  /** Every file of the volume and its blob: given to media types that packsFromStore. */
  content?: StoreContent;
  workDir: string;
  /** Where to write the image: a temp name beside the final output. */
  output: string;
  label: string;
  platform: BootPlatform;
  exec: Exec;
  env: Record<string, string>;
  /** SOURCE_DATE_EPOCH of this build: the time every file and volume gets. */
  sourceDateEpoch: number;
  signal?: AbortSignal;
  /** Reports things the user should know (label mappings). */
  notice: (message: string) => void;
  /** The media entry being packed: its type's own keys (imageSize, partitionTable, format, device). */
  media?: NormalizedMedia;
  /** False for the data volumes of a set: only volume 1 carries boot records. Default true. */
  bootable?: boolean;
  /** Keeps what a pack derives from the media's files (the ISO's ESP, a volume's size) across estimates, volumes and builds. */
  derived?: DerivedCache;
}

/** What a derived result depends on: the pack's pre-image plus the tools that make it, whose recorded versions join the key. */
export interface DerivedKey {
  /** Names the kind of result in the action cache, e.g. "esp". */
  kind: string;
  /** Everything besides the tools that shapes the result (input hashes, label, layout, environment). */
  preimage: Record<string, unknown>;
  tools: readonly string[];
}

/**
 * A cache of what a pack derives from its inputs (Bazel's action cache over
 * the content store), shared by every estimate and volume of a build and kept
 * across builds: the ESP image of an ISO, the exact size of a volume.
 */
export interface DerivedCache {
  /**
   * The path of the file for the key, never to be written to: a cached copy whose hash still matches, else
   * one `make` writes at `scratch` (a path the caller owns), which is then stored.
   */
  file(request: DerivedKey & { make: (output: string) => Promise<void>; scratch: string }): Promise<string>;
  /** A small JSON value for the key: remembered, else computed and recorded. */
  value<T>(request: DerivedKey & { compute: () => Promise<T> }): Promise<T>;
}

export interface PackResult {
  output: string;
  size: number;
  /** When the media type hashed the image while writing it; saves reading it back. */
  sha256?: string;
  /** The label as written into the file system. */
  volumeLabel: string;
}

export interface PublishInput {
  /** The finished image (where pack wrote it). */
  temp: string;
  /** Where it belongs: a file path or a block device. */
  final: string;
  media: NormalizedMedia;
  exec: Exec;
  signal?: AbortSignal;
  notice: (message: string) => void;
  /** Asks the user (TTY) or answers from --yes; false means "do not write". */
  confirm: (question: string) => Promise<boolean>;
}

export interface TargetCheckInput {
  media: NormalizedMedia;
  exec: Exec;
  confirm: (question: string) => Promise<boolean>;
  /** Paths whose disks must never be written (staging, cache, config folder). */
  protectedPaths: string[];
}

/** Where a media entry's output goes: which of its keys names it, and what it is. */
export interface MediaOutput {
  /** The key of the media entry holding the output path, e.g. "file" for media.file. */
  key: string;
  /** file: an image (or a block device); folder: a folder of files, replaced as a whole. */
  kind: 'file' | 'folder';
  /** The sentence shown when the key is missing, e.g. 'an ISO needs media.file, the output path (e.g. "out/capture.iso")'. */
  help: string;
  /** A name for hints, e.g. "capture.iso". */
  example: string;
  /**
   * folder: a file the type writes at the root of every folder it makes. An
   * existing folder is replaced only when it is empty or holds this (or, for a
   * type without one, capmedia's build manifest lies beside it): never a folder of the user's.
   */
  marker?: string;
}

/** A problem with one key of a media entry: `media.<key>: <message>`. */
export interface MediaOptionIssue {
  key: string;
  message: string;
}

/** What `capmedia verify` found in one medium (an ISO, a volume of a set, a USB image, …). */
export interface MediaReport {
  file: string;
  volumeId: string;
  /** ISO: the Joliet volume id, the name Windows shows for the mounted ISO. */
  jolietVolumeId?: string;
  bootBios: boolean;
  bootUefi: boolean;
  partitionTable: string;
  mediaLabel?: string;
  taskSequence?: string;
  checksum: 'ok' | 'mismatch' | 'no checksum file';
  /** Files vs the build manifest beside the output, when there is one. */
  files?: string;
  /** For a volume of a CD/DVD set: its number and the set size. */
  volume?: { number: number; of: number };
  /** SMS/data/MediaContent.json: the lock digest and the package versions the media carry. */
  content?: MediaContent;
  /** The UEFI loader and what it starts: shim-signed, signed, or unsigned, with SBAT generations. */
  uefiChain?: UefiChain;
  problems: string[];
}

/**
 * A media type: turns a staged tree into the output users write, burn or
 * serve. It owns its keys of the media entry (options), which of them shape
 * the output (cacheInputs), pack, and inspect for `capmedia verify`.
 */
export interface MediaType {
  /** The value of media.type. */
  name: string;
  /** The file names this media's file system can hold; checked at resolve, before anything is fetched. */
  nameRules?: NameRules;
  /**
   * The type's own keys of a media entry, beside the common ones (name, type,
   * size, label, autorun, staging, format, splitLargeFiles). The config schema
   * is a union over the registered types, discriminated by media.type.
   */
  options: z.ZodRawShape;
  output: MediaOutput;
  /**
   * The media keys that shape what pack writes: an explicit allow-list (part
   * of the pack cache key). Keys left out must not change the output.
   */
  cacheInputs(media: NormalizedMedia): Record<string, unknown>;
  /** Semantic rules on the type's keys the schema cannot express; run with the config's other rules. */
  checkOptions?(media: NormalizedMedia): MediaOptionIssue[];
  /** True when content beyond media.size is written as a set of volumes (estimateSize measures each). */
  spansVolumes?: boolean;
  /** Reads a built output; undefined when it is not this type's kind of media (verify asks each type in turn). */
  inspect?(file: string, exec: Exec): Promise<MediaReport | undefined>;
  /**
   * The digest a published output has now (what PackResult.sha256 said at
   * build time), undefined when it is gone or damaged: a build whose inputs did
   * not change is up to date only while its outputs are intact. Default: the
   * file's sha256. Media types writing folders have it.
   */
  outputDigest?(path: string): Promise<string | undefined>;
  /** True when publishing writes a block device: the terminal must show plain lines for the confirmation. */
  writesDevice?(media: NormalizedMedia): boolean;
  /** Refuses content this media cannot hold, before anything is written (e.g. FAT32's 4 GiB file limit). */
  checkContent?(files: ReadonlyArray<{ path: string; size: number }>, media: NormalizedMedia): void;
  /** Refuses an unsafe or unusable target before any work (e.g. a mounted or non-removable drive). */
  checkTarget?(input: TargetCheckInput): Promise<void>;
  /** Where pack writes; default: a hidden partial file beside the final output (same file system, atomic rename). */
  partialOutput?(media: NormalizedMedia, workDir: string): string | undefined;
  /**
   * True when pack reads each file straight from its blob (PackInput.content)
   * instead of a laid-out tree: no links are made and removed per build.
   */
  packsFromStore?: boolean;
  pack(input: PackInput): Promise<PackResult>;
  /** The exact size pack would write, without writing it; required with spansVolumes. */
  estimateSize?(input: PackInput): Promise<number>;
  /** Puts a finished image in place; default: rename over the final path. */
  publish?(input: PublishInput): Promise<void>;
  /**
   * Where the `.sha256` and `.manifest.json` records are written (they are named
   * after this path). Default: the output itself. undefined: write none — a
   * drive (/dev/sdX) or a mounted volume has no "beside" to write them to.
   */
  recordsPath?(media: NormalizedMedia): string | undefined;
}
