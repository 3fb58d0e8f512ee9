import type { BootPlatform } from '../boot/types.js';
import type { Exec } from '../../tools/exec.js';
import type { NormalizedMedia } from '../../config/normalize.js';
import type { NameRules } from './name-rules.js';

export interface PackInput {
  treeDir: string;
  workDir: string;
  /** Where to write the image: a temp name beside the final output. */
  output: string;
  label: string;
  platform: BootPlatform;
  exec: Exec;
  env: Record<string, string>;
  signal?: AbortSignal;
  /** Reports things the user should know (label mappings). */
  notice: (message: string) => void;
  /** The media entry being packed: its type's own keys (imageSize, partitionTable, format, device). */
  media?: NormalizedMedia;
  /** False for the data volumes of a set: only volume 1 carries boot records. Default true. */
  bootable?: boolean;
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

/** A media type: turns a staged tree into the image file(s) users write or burn. */
export interface MediaType {
  name: string;
  /** The file names this media's file system can hold; checked at resolve, before anything is fetched. */
  nameRules?: NameRules;
  /** Refuses content this media cannot hold, before anything is written (e.g. FAT32's 4 GiB file limit). */
  checkContent?(files: ReadonlyArray<{ path: string; size: number }>, media: NormalizedMedia): void;
  /** Refuses an unsafe or unusable target before any work (e.g. a mounted or non-removable drive). */
  checkTarget?(input: TargetCheckInput): Promise<void>;
  /** Where pack writes; default: a hidden partial file beside the final output (same file system, atomic rename). */
  partialOutput?(media: NormalizedMedia, workDir: string): string | undefined;
  pack(input: PackInput): Promise<PackResult>;
  /** The exact size pack would write, without writing it; media types that can span a set of volumes have it. */
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
