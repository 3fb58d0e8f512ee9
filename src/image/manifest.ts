import { z } from 'zod';
import { CapmediaError, fail } from '../errors/index.js';
import { describeSchemaIssues } from '../config/issues.js';

/**
 * manifest.json of a captured image (format "capmedia-image"), written last
 * by the capture agent (templates/linux/agent-capture.sh). It lists every
 * part with its stored size and sha256, and where its bytes go on the disk,
 * so an image folder is self-describing. Version 2 adds WIM parts: the
 * volumes captured into a WIM, each image with its partition's place.
 * Version 1 images (raw parts only) are still read.
 */

export const IMAGE_FORMAT = 'capmedia-image';
export const IMAGE_FORMAT_VERSION = 2;
export const MANIFEST_FILE = 'manifest.json';

/** Part file names are plain names inside the image folder: nothing can point elsewhere. */
const partFile = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'a plain file name inside the image folder');
const count = z.number().int().min(0);

const rawPartSchema = z.object({
  file: partFile,
  kind: z.enum(['partition-table', 'head', 'partition', 'disk']),
  compression: z.enum(['none', 'zstd']),
  partition: z.number().int().min(1).nullable(),
  device: z.string(),
  /** Byte offset of the region on the disk. */
  offset: count,
  /** Size of the region on the disk. */
  bytes: count,
  /** Bytes in the uncompressed stream (e2image may send fewer than the partition holds). */
  rawBytes: count,
  filesystem: z.string(),
  method: z.string(),
  /** Stored (compressed) size and hash of the file. */
  size: count,
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'a sha256 in lowercase hex'),
});

/** One volume in a WIM: its image index there and where it goes on the disk. */
const wimImageSchema = z.object({
  index: z.number().int().min(1),
  name: z.string(),
  description: z.string(),
  partition: z.number().int().min(1),
  device: z.string(),
  offset: count,
  bytes: count,
  filesystem: z.string(),
  /** The volume holding Windows: it carries the task sequence's image name. */
  windows: z.boolean(),
});

/** A standard WIM, one .swm part of a split WIM, or (http uploads) one pipable WIM per volume. */
const wimPartSchema = z.object({
  file: partFile,
  kind: z.literal('wim'),
  pipable: z.boolean(),
  compression: z.enum(['lzx', 'xpress', 'none']),
  split: z.object({ part: z.number().int().min(1), of: z.number().int().min(1) }).nullable(),
  size: count,
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'a sha256 in lowercase hex'),
  images: z.array(wimImageSchema).min(1),
});

const partSchema = z.discriminatedUnion('kind', [rawPartSchema, wimPartSchema]);

export const manifestSchema = z.object({
  format: z.literal(IMAGE_FORMAT),
  formatVersion: z.union([z.literal(1), z.literal(IMAGE_FORMAT_VERSION)]),
  image: z.object({
    name: z.string(),
    version: z.string().optional(),
    description: z.string().optional(),
    createdBy: z.string().optional(),
  }),
  taskSequence: z.string(),
  createdAt: z.string(),
  capture: z.enum(['disk', 'partitions']),
  source: z.object({
    device: z.string(),
    model: z.string(),
    serial: z.string(),
    bytes: count,
    logicalSectorSize: count,
    partitionTable: z.string(),
  }),
  parts: z.array(partSchema).min(1),
});

export type ImageManifest = z.output<typeof manifestSchema>;
export type ImagePart = ImageManifest['parts'][number];
export type RawPart = z.output<typeof rawPartSchema>;
export type WimPart = z.output<typeof wimPartSchema>;
export type WimImage = z.output<typeof wimImageSchema>;

export const isWimPart = (part: ImagePart): part is WimPart => part.kind === 'wim';
export const rawParts = (manifest: ImageManifest): RawPart[] => manifest.parts.filter((part): part is RawPart => !isWimPart(part));

/** WIM files that are read together: a standard WIM, a split set (.swm parts in order), or one pipable WIM. */
export interface WimSet {
  /** Files in part order; the first one is the one wimlib opens. */
  parts: WimPart[];
  pipable: boolean;
  compression: WimPart['compression'];
  images: WimImage[];
}

export function wimSets(manifest: ImageManifest): WimSet[] {
  const sets: WimSet[] = [];
  const wims = manifest.parts.filter(isWimPart);
  const split = wims.filter((part) => part.split !== null).sort((a, b) => a.split!.part - b.split!.part);
  if (split.length > 0) sets.push({ parts: split, pipable: split[0].pipable, compression: split[0].compression, images: split[0].images });
  for (const part of wims.filter((wim) => wim.split === null)) {
    sets.push({ parts: [part], pipable: part.pipable, compression: part.compression, images: part.images });
  }
  return sets;
}

export function parseManifest(text: string, where: string): ImageManifest {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw invalid(where, `it is not JSON (${(error as Error).message})`);
  }
  const parsed = manifestSchema.safeParse(data);
  if (!parsed.success) {
    const problems = describeSchemaIssues(parsed.error.issues, data).map((issue) => `${issue.path}: ${issue.message}`);
    throw invalid(where, problems.slice(0, 5).join('; '));
  }
  checkLayout(parsed.data, where);
  return parsed.data;
}

/** Regions (raw parts and WIM images) must lie on the disk and not overlap; files must be unique. */
function checkLayout(manifest: ImageManifest, where: string): void {
  const files = new Set<string>();
  for (const part of manifest.parts) {
    if (files.has(part.file)) throw invalid(where, `the part ${part.file} is listed twice`);
    files.add(part.file);
  }
  if (manifest.formatVersion === 1 && manifest.parts.some(isWimPart)) throw invalid(where, 'version 1 images hold no WIM parts');
  checkSplitSet(manifest, where);
  const regions = [
    ...rawParts(manifest)
      .filter((part) => part.kind !== 'partition-table')
      .map((part) => {
        if (part.rawBytes > part.bytes) throw invalid(where, `${part.file} holds ${part.rawBytes} bytes for a region of ${part.bytes}`);
        return { name: part.file, offset: part.offset, bytes: part.bytes };
      }),
    ...wimSets(manifest).flatMap((set) =>
      set.images.map((image) => ({ name: `${set.parts[0].file} image ${image.index}`, offset: image.offset, bytes: image.bytes })),
    ),
  ].sort((a, b) => a.offset - b.offset);
  let end = 0;
  for (const region of regions) {
    if (region.offset < end || region.offset + region.bytes > manifest.source.bytes)
      throw invalid(where, `${region.name} overlaps another part or lies beyond the end of the ${manifest.source.bytes}-byte disk`);
    end = region.offset + region.bytes;
  }
}

/** A split WIM is one set: parts 1..n of the same n, each listing the same images. */
function checkSplitSet(manifest: ImageManifest, where: string): void {
  const parts = manifest.parts.filter(isWimPart).filter((part) => part.split !== null);
  if (parts.length === 0) return;
  const numbers = parts.map((part) => part.split!.part).sort((a, b) => a - b);
  const complete = numbers.every((number, i) => number === i + 1) && parts.every((part) => part.split!.of === parts.length);
  if (!complete) throw invalid(where, `the split WIM lists parts ${numbers.join(', ')} of ${parts[0].split!.of}`);
  const images = JSON.stringify(parts[0].images);
  if (parts.some((part) => JSON.stringify(part.images) !== images))
    throw invalid(where, 'the parts of the split WIM list different images');
}

function invalid(where: string, why: string): CapmediaError {
  return fail('imageManifestInvalid', { where, why });
}
