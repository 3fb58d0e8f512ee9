import { z } from 'zod';
import { parseMediaSize, SIZE_HELP } from './size.js';
import { credentialsSchema, stepsSchema } from '../tasksequence/schema.js';

/**
 * The config as data. Strict objects everywhere: an unknown key is a typo far
 * more often than a feature, and silently ignoring it builds the wrong media.
 */

const packageId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'a package ID: letters, digits, ".", "_" or "-", at most 64 characters');

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name');

const authSchema = z.strictObject({
  username: z.string().min(1).optional(),
  passwordEnv: envName.optional(),
  passwordFile: z.string().min(1).optional(),
  tokenEnv: envName.optional(),
});

const distributionPointSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'a name of letters, digits, ".", "_" or "-"'),
  url: z.string().regex(/^(file|https?):/, 'a URL starting with file:, http: or https:'),
  auth: authSchema.optional(),
  ca: z.string().min(1).optional(),
  /** http(s): seconds to wait for a connection, and for the next byte before a transfer counts as stalled. */
  timeouts: z.strictObject({ connect: z.number().positive().optional(), stall: z.number().positive().optional() }).optional(),
});

/** A Bazel-layout HTTP cache (<url>/cas/<sha256>, <url>/ac/<key>) shared by CI runners; only trusted runners write. */
const remoteCacheSchema = z.strictObject({
  url: z.string().regex(/^https?:\/\//, 'an http:// or https:// URL'),
  write: z.boolean().default(false),
  auth: authSchema.optional(),
  ca: z.string().min(1).optional(),
  /** Action records are HMAC-SHA256 signed with the key in this variable; unsigned or badly signed ones are ignored. */
  signingKeyEnv: envName.optional(),
  timeouts: z.strictObject({ connect: z.number().positive().optional(), stall: z.number().positive().optional() }).optional(),
});

export const ARCHES = ['x86', 'x64', 'arm64'] as const;
export const AFTER_ACTIONS = ['poweroff', 'reboot', 'shell'] as const;

const taskSequenceSchema = z.strictObject({
  name: z.string().min(1).max(100).optional(),
  image: z.strictObject({
    name: z.string().min(1).max(100),
    version: z.string().max(50).optional(),
    description: z.string().max(500).optional(),
    createdBy: z.string().max(100).optional(),
  }),
  destination: z
    .string()
    .regex(
      /^(disk:[^\s]+|https?:\/\/\S+|nfs:\/\/\S+|smb:\/\/\S+)$/,
      'disk:<FS-LABEL>, http(s)://…, nfs://host/export/path or smb://host/share/path',
    ),
  after: z.enum(AFTER_ACTIONS).default('poweroff'),
  /** What to do when a step fails; default: the same as after. */
  onFailure: z.enum(AFTER_ACTIONS).optional(),
  /** Omitted: one capture-disk step, source auto, whole disk. */
  steps: stepsSchema.optional(),
  credentials: credentialsSchema.optional(),
});

const mediaSizeSchema = z.union([z.number(), z.string()]).refine((value) => parseMediaSize(value) !== undefined, { message: SIZE_HELP });

export const mediaSchema = z.strictObject({
  name: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'a name of letters, digits, ".", "_" or "-"')
    .optional(),
  type: z.enum(['iso', 'usb']),
  file: z.string().min(1).optional(),
  device: z.string().min(1).optional(),
  size: mediaSizeSchema.default('unlimited'),
  label: z.string().default('Configuration Manager'),
  autorun: z.boolean().default(false),
  staging: z.string().min(1).optional(),
  format: z.boolean().default(true),
  splitLargeFiles: z.boolean().default(false),
  /** usb: size of the disk image (default: content plus headroom). */
  imageSize: z
    .union([z.number(), z.string()])
    .refine((value) => Number.isFinite(parseMediaSize(value) ?? Number.NaN), {
      message: 'a byte count or a string such as "512MiB" or "2GB"',
    })
    .optional(),
  /** usb: "mbr" (default; boots UEFI and BIOS) or "gpt" (an EFI system partition; BIOS through the legacy-bootable flag). */
  partitionTable: z.enum(['mbr', 'gpt']).optional(),
});

export const configSchema = z.strictObject({
  /** .json / .yaml configs may name their JSON Schema for editors (schema/capmedia.schema.json). */
  $schema: z.string().optional(),
  distributionPoints: z.array(distributionPointSchema).min(1),
  bootImage: z.strictObject({ package: packageId, distributionPoint: z.string().min(1).optional() }),
  content: z.array(packageId).default([]),
  target: z
    .strictObject({
      arch: z.enum(ARCHES).default('x64'),
      drivers: z.array(z.string().min(1)).default(['storage', 'cdrom', 'filesystem']),
    })
    .default({ arch: 'x64', drivers: ['storage', 'cdrom', 'filesystem'] }),
  taskSequence: taskSequenceSchema,
  media: z.union([mediaSchema, z.array(mediaSchema).min(1)]),
  cache: z.strictObject({ dir: z.string().min(1).optional(), remote: remoteCacheSchema.optional() }).optional(),
});

/** What a user writes (defaults optional). */
export type CapmediaConfig = z.input<typeof configSchema>;
/** After defaults are applied. */
export type ParsedConfig = z.output<typeof configSchema>;
export type MediaConfig = z.input<typeof mediaSchema>;
export type DistributionPointConfig = z.output<typeof distributionPointSchema>;
export type RemoteCacheConfig = z.input<typeof remoteCacheSchema>;
export type Arch = (typeof ARCHES)[number];

/** JSON Schema for editors, generated from the same schema. */
export function configJsonSchema(): unknown {
  return z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' });
}
