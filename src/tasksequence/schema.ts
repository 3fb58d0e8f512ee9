import { z } from 'zod';
import { parseMediaSize } from '../config/size.js';

/**
 * The task sequence's steps and credentials as data (used by the config
 * schema). Unions are avoided or guarded: the config error writer can only
 * name the precise problem when it knows which shape the user meant.
 */

export const MAX_STEPS = 16;

/** Bytes from 123, "256GB", "240GiB"; undefined when not a finite size. */
export function parseByteSize(value: unknown): number | undefined {
  if (typeof value !== 'number' && typeof value !== 'string') return undefined;
  const bytes = parseMediaSize(value);
  return bytes !== undefined && Number.isFinite(bytes) ? bytes : undefined;
}

const byteSize = z.custom<number | string>((value) => parseByteSize(value) !== undefined, {
  message: 'a byte count or a size such as "256GB" or "240GiB"',
});

export const diskSelectorSchema = z.strictObject({
  path: z
    .string()
    .regex(/^\/dev\/[A-Za-z0-9._-]+$/, 'a whole-disk device path such as /dev/nvme0n1 or /dev/sda')
    .optional(),
  /** Shell pattern matched against the disk's model, e.g. "Samsung SSD*". */
  model: z.string().min(1).max(100).optional(),
  /** Shell pattern matched against the disk's serial number. */
  serial: z.string().min(1).max(100).optional(),
  minSize: byteSize.optional(),
  maxSize: byteSize.optional(),
});

export type DiskSelector = z.output<typeof diskSelectorSchema>;

const SOURCE_HELP =
  '"auto" (the one internal disk that is neither the boot medium nor the destination) or a disk selector { path, model, serial, minSize, maxSize }';

/**
 * In the first branch a guard turns anything but a string or an object into
 * one clear message, and a wrong word into "expected auto"; an object fails
 * that branch on its type, so the config errors name the wrong key inside
 * the selector instead.
 */
/**
 * One WimScript.ini line: a path from the volume root (\\Windows\\Temp) or a
 * wildcard (*.tmp). "|" separates patterns in TaskSequence.vars, and a
 * section header or a line break would change the file's structure.
 */
const wimPattern = z
  .string()
  .min(1)
  .max(260)
  .regex(/^[^|\r\n\0[]/, 'a WimScript.ini pattern such as \\Users\\*\\AppData\\Local\\Temp or *.tmp')
  .regex(/^[^|\r\n\0]*$/, 'a pattern without "|" or line breaks');
/** A guard first: a value of neither shape gets this message rather than a generic union failure. */
const excludeShape = z.custom<unknown>((value) => typeof value === 'object' && value !== null, {
  message: 'a list of WimScript.ini patterns, or { exclusionList: [...], exclusionException: [...] }',
});
const excludeSchema = excludeShape.pipe(
  z.union([
    z.array(wimPattern).max(256),
    z.strictObject({
      exclusionList: z.array(wimPattern).max(256).default([]),
      exclusionException: z.array(wimPattern).max(256).default([]),
    }),
  ]),
);

const isStringOrObject = (value: unknown) =>
  typeof value === 'string' || (typeof value === 'object' && value !== null && !Array.isArray(value));
const autoSource = z.custom<string>(isStringOrObject, { message: SOURCE_HELP }).pipe(
  z
    .string()
    .refine((value) => value === 'auto', { message: SOURCE_HELP })
    .transform(() => 'auto' as const),
) as unknown as z.ZodType<'auto', 'auto'>;
const sourceSchema = z.union([autoSource, diskSelectorSchema]);

export const captureDiskStepSchema = z.strictObject({
  type: z.enum(['capture-disk']),
  source: sourceSchema.default('auto'),
  /** Partition numbers to capture; omitted: the whole disk (boot area, table and every partition). */
  partitions: z.array(z.number().int().min(1).max(256)).min(1).max(128).optional(),
  /** zstd level: 1 is fastest, 19 smallest. */
  compressionLevel: z.number().int().min(1).max(19).default(3),
  /** auto: NTFS volumes into one WIM, the rest as zstd streams; wim: every volume into the WIM; raw: no WIM. */
  format: z.enum(['auto', 'wim', 'raw']).default('auto'),
  /** WIM compression on every core: lzx (DISM's /Compress:max) or xpress (/Compress:fast, ~9× less CPU). */
  compression: z.enum(['lzx', 'xpress', 'none']).default('lzx'),
  /** WimScript.ini patterns added to Microsoft's defaults: a list ([ExclusionList]) or both sections. */
  exclude: excludeSchema.optional(),
  /** Split the WIM into .swm parts of at most this size (FAT32 destinations: '3800MB'). */
  split: byteSize.optional(),
});

export type CaptureDiskStep = z.output<typeof captureDiskStepSchema>;

export const stepsSchema = z.array(captureDiskStepSchema).min(1).max(MAX_STEPS);

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name');

/**
 * Who the agent is at an http(s) or smb destination. By default the password
 * (and the user name, if not given) is asked on the console at capture time;
 * `embed: true` writes it onto the media, taken from passwordEnv/passwordFile
 * at build time.
 */
export const credentialsSchema = z.strictObject({
  username: z.string().min(1).max(256).optional(),
  passwordEnv: envName.optional(),
  passwordFile: z.string().min(1).optional(),
  embed: z.boolean().default(false),
});

export type TaskSequenceCredentials = z.output<typeof credentialsSchema>;
