import type { ParsedMedia } from './schema.js';

/** One media entry after normalize (a leaf module: media type plugins import it without reaching the registry). */
export interface NormalizedMedia extends Omit<ParsedMedia, 'size' | 'name'> {
  name: string;
  /** Capacity in bytes; Infinity when unlimited. */
  capacity: number;
  sizeSpec: number | string;
  /** Absolute output path (ISO file, USB image file or block device). */
  output: string;
  staging: string;
  /** Keys of media types from plugins. */
  [key: string]: unknown;
}
