import { z } from 'zod';
import { CapmediaError } from '../errors.js';
import { describeSchemaIssues } from '../config/issues.js';

/**
 * manifest.json of a captured image (format "capmedia-image", version 1),
 * written last by the capture agent (templates/linux/agent-capture.sh). It
 * lists every part with its stored size and sha256, and where its bytes go
 * on the disk, so an image folder is self-describing.
 */

export const IMAGE_FORMAT = 'capmedia-image';
export const IMAGE_FORMAT_VERSION = 1;
export const MANIFEST_FILE = 'manifest.json';

/** Part file names are plain names inside the image folder: nothing can point elsewhere. */
const partFile = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'a plain file name inside the image folder');
const count = z.number().int().min(0);

const partSchema = z.object({
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

export const manifestSchema = z.object({
  format: z.literal(IMAGE_FORMAT),
  formatVersion: z.literal(IMAGE_FORMAT_VERSION),
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

/** Regions must lie on the disk and not overlap; files must be unique. */
function checkLayout(manifest: ImageManifest, where: string): void {
  const files = new Set<string>();
  const regions = manifest.parts.filter((part) => part.kind !== 'partition-table').sort((a, b) => a.offset - b.offset);
  for (const part of manifest.parts) {
    if (files.has(part.file)) throw invalid(where, `the part ${part.file} is listed twice`);
    files.add(part.file);
  }
  let end = 0;
  for (const part of regions) {
    if (part.rawBytes > part.bytes) throw invalid(where, `${part.file} holds ${part.rawBytes} bytes for a region of ${part.bytes}`);
    if (part.offset < end || part.offset + part.bytes > manifest.source.bytes)
      throw invalid(where, `${part.file} overlaps another part or lies beyond the end of the ${manifest.source.bytes}-byte disk`);
    end = part.offset + part.bytes;
  }
}

function invalid(where: string, why: string): CapmediaError {
  return new CapmediaError('IMAGE_INVALID', `${where} is not a valid capmedia image manifest: ${why}.`, {
    hint: 'The image is damaged or incomplete (the manifest is written last, so a capture that failed has none): capture it again.',
  });
}
