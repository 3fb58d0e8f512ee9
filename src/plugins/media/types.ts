import type { BootPlatform } from '../boot/types.js';
import type { Exec } from '../../tools/exec.js';
import type { NormalizedMedia } from '../../config/normalize.js';

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
}

export interface PackResult {
  output: string;
  size: number;
  /** The label as written into the file system. */
  volumeLabel: string;
}

/** A media type: turns a staged tree into the image file(s) users write or burn. */
export interface MediaType {
  name: string;
  /** Refuses content this media cannot hold, before anything is written (e.g. FAT32's 4 GiB file limit). */
  checkContent?(files: ReadonlyArray<{ path: string; size: number }>, media: NormalizedMedia): void;
  pack(input: PackInput): Promise<PackResult>;
}
