import { z } from 'zod';
import { parseMediaSize, SIZE_HELP } from './size.js';
import { credentialsSchema, stepsSchema } from '../tasksequence/schema.js';
import { isoOptions } from '../plugins/media/iso/options.js';
import { usbOptions } from '../plugins/media/usb/options.js';

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

/** Keys every media entry has, whatever its type; each media type adds its own (MediaType.options). */
export const mediaCommonShape = {
  name: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'a name of letters, digits, ".", "_" or "-"')
    .optional(),
  size: mediaSizeSchema.default('unlimited'),
  label: z.string().default('Configuration Manager'),
  autorun: z.boolean().default(false),
  staging: z.string().min(1).optional(),
  format: z.boolean().default(true),
  splitLargeFiles: z.boolean().default(false),
};

/** What the config schema is assembled from: the registered media types and distribution point URL schemes. */
export interface SchemaParts {
  mediaTypes: ReadonlyArray<{ name: string; options: z.ZodRawShape }>;
  protocols: readonly string[];
}

/**
 * One strict object per media type, discriminated by media.type. Another
 * type's keys are let through here so a rule can say whose they are (a key
 * no type knows stays an unknown-key error).
 */
function mediaEntrySchema(types: SchemaParts['mediaTypes']) {
  const keys = types.flatMap((t) => Object.keys(t.options));
  const entries = types.map((t) => {
    const foreign = Object.fromEntries(keys.filter((key) => !(key in t.options)).map((key) => [key, z.unknown().optional()]));
    const { name, ...common } = mediaCommonShape;
    // Key order is the order "allowed keys here" lists them in.
    return z.strictObject({ name, type: z.literal(t.name), ...t.options, ...common, ...foreign });
  });
  return z.discriminatedUnion('type', entries as [(typeof entries)[number], ...(typeof entries)[number][]]);
}

function dpSchema(protocols: readonly string[]) {
  const allowed = protocols.map((p) => p.replace(/:$/, ''));
  const pattern = new RegExp(`^(${allowed.map((p) => p.replace(/[.+-]/g, '\\$&')).join('|')}):`);
  const text = allowed.length > 1 ? `${allowed.slice(0, -1).join(':, ')}: or ${allowed.at(-1)}:` : `${allowed[0]}:`;
  return distributionPointSchema.extend({ url: z.string().regex(pattern, `a URL starting with ${text}`) });
}

/** A plugin as the config holds it; the registry checks what it contributes. */
const pluginSchema = z.custom<{ name: string }>(
  (value) => typeof value === 'object' && value !== null && typeof (value as { name?: unknown }).name === 'string',
  'a plugin object with a name (made by its package, e.g. myPlugin())',
);

export function createConfigSchema(parts: SchemaParts) {
  const media = mediaEntrySchema(parts.mediaTypes);
  return z.strictObject({
    ...configShape,
    distributionPoints: z.array(dpSchema(parts.protocols)).min(1),
    media: z.union([media, z.array(media).min(1)]),
    plugins: z.array(pluginSchema).optional(),
  });
}

/** The built-in media types' keys, for TypeScript: what defineConfig completes (validation uses the registry's schema). */
export const mediaSchema = z.strictObject({
  ...mediaCommonShape,
  type: z.enum(['iso', 'usb']),
  ...isoOptions,
  ...usbOptions,
});

const configShape = {
  /** .json / .yaml configs may name their JSON Schema for editors (schema/capmedia.schema.json). */
  $schema: z.string().optional(),
  bootImage: z.strictObject({ package: packageId, distributionPoint: z.string().min(1).optional() }),
  content: z.array(packageId).default([]),
  target: z
    .strictObject({
      arch: z.enum(ARCHES).default('x64'),
      drivers: z.array(z.string().min(1)).default(['storage', 'cdrom', 'filesystem']),
    })
    .default({ arch: 'x64', drivers: ['storage', 'cdrom', 'filesystem'] }),
  taskSequence: taskSequenceSchema,
  cache: z.strictObject({ dir: z.string().min(1).optional(), remote: remoteCacheSchema.optional() }).optional(),
};

/** For TypeScript only: configs are validated against the schema their registry assembles (createConfigSchema). */
const builtinConfigSchema = createConfigSchema({
  mediaTypes: [
    { name: 'iso', options: isoOptions },
    { name: 'usb', options: usbOptions },
  ],
  protocols: ['file:', 'http:', 'https:'],
});

/** A media entry of a plugin's media type: the common keys plus the type's own. */
export type PluginMediaConfig = z.input<z.ZodObject<typeof mediaCommonShape>> & { type: string; [key: string]: unknown };
export type MediaConfig = z.input<typeof mediaSchema> | PluginMediaConfig;
/** What a user writes (defaults optional). */
export type CapmediaConfig = Omit<z.input<typeof builtinConfigSchema>, 'media' | 'plugins'> & {
  media: MediaConfig | MediaConfig[];
  /** Plugins (definePlugin objects) adding media types, boot platforms or distribution point schemes. */
  plugins?: ReadonlyArray<{ name: string }>;
};
/** A media entry after defaults are applied. */
export type ParsedMedia = Omit<z.output<typeof mediaSchema>, 'type'> & { type: string };
/** After defaults are applied. */
export type ParsedConfig = Omit<z.output<typeof builtinConfigSchema>, 'media'> & { media: ParsedMedia | ParsedMedia[] };
export type DistributionPointConfig = z.output<typeof distributionPointSchema>;
export type RemoteCacheConfig = z.input<typeof remoteCacheSchema>;
export type Arch = (typeof ARCHES)[number];

/** JSON Schema for editors, generated from the same schema (pass the registry's parts to include plugins' media types). */
export function configJsonSchema(parts?: SchemaParts): unknown {
  return z.toJSONSchema(parts ? createConfigSchema(parts) : builtinConfigSchema, { io: 'input', unrepresentable: 'any' });
}
