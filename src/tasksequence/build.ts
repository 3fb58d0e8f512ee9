import { createHash } from 'node:crypto';
import type { NormalizedConfig } from '../config/normalize.js';
import { credentialWarnings, mediaCredentials, type CredentialMode } from './credentials.js';
import { parseDestination, type Destination } from './destination.js';
import { parseByteSize, type CaptureDiskStep } from './schema.js';
import { MEDIA_PATHS } from '../media-paths.js';

/** Written to SMS/data/ on the media; versioned so the agent can refuse what it does not know. */
export const TASK_SEQUENCE_VERSION = 2;
export const TASK_SEQUENCE_JSON = MEDIA_PATHS.taskSequence;
export const TASK_SEQUENCE_VARS = MEDIA_PATHS.taskSequenceVars;

/**
 * An embedded password rides on the document under a symbol: JSON.stringify
 * skips symbol keys, so it reaches neither TaskSequence.json nor the stage
 * cache key's stored pre-image, only TaskSequence.vars.
 */
export const EMBEDDED_PASSWORD: unique symbol = Symbol('capmedia.embeddedPassword');

export type AfterAction = 'poweroff' | 'reboot' | 'shell';

export interface CaptureDiskStepDocument {
  type: 'capture-disk';
  source: 'auto' | { path?: string; model?: string; serial?: string; minSize?: number; maxSize?: number };
  /** 'all' = the whole disk: boot area, partition table, every partition. */
  partitions: 'all' | number[];
  compressionLevel: number;
  format: 'auto' | 'wim' | 'raw';
  compression: 'lzx' | 'xpress' | 'none';
  /** Added to Microsoft's default exclusions (WimScript.ini sections). */
  exclude: { exclusionList: string[]; exclusionException: string[] };
  /** Largest .swm part in bytes; undefined: one .wim. */
  split?: number;
}

export interface TaskSequenceDocument {
  version: number;
  name: string;
  image: { name: string; version?: string; description?: string; createdBy?: string };
  destination: string;
  after: AfterAction;
  onFailure: AfterAction;
  credentials: {
    mode: CredentialMode;
    username?: string;
    /** Changes when an embedded password changes, so cached media are rebuilt; not the password. */
    fingerprint?: string;
  };
  steps: CaptureDiskStepDocument[];
  [EMBEDDED_PASSWORD]?: string;
}

const DEFAULT_STEP: CaptureDiskStepDocument = {
  type: 'capture-disk',
  source: 'auto',
  partitions: 'all',
  compressionLevel: 3,
  format: 'auto',
  compression: 'lzx',
  exclude: { exclusionList: [], exclusionException: [] },
};

export function taskSequenceDocument(config: NormalizedConfig): TaskSequenceDocument {
  const ts = config.taskSequence;
  const credentials = mediaCredentials(config);
  const doc: TaskSequenceDocument = {
    version: TASK_SEQUENCE_VERSION,
    name: ts.name ?? `Capture ${ts.image.name}`,
    image: ts.image,
    destination: ts.destination,
    after: ts.after,
    onFailure: ts.onFailure ?? ts.after,
    credentials: {
      mode: credentials.mode,
      username: credentials.username,
      fingerprint: credentials.password === undefined ? undefined : fingerprint(credentials.password),
    },
    steps: ts.steps?.map(stepDocument) ?? [DEFAULT_STEP],
  };
  if (credentials.password !== undefined) doc[EMBEDDED_PASSWORD] = credentials.password;
  return doc;
}

function stepDocument(step: CaptureDiskStep): CaptureDiskStepDocument {
  const source =
    step.source === 'auto'
      ? 'auto'
      : {
          ...step.source,
          minSize: step.source.minSize === undefined ? undefined : parseByteSize(step.source.minSize),
          maxSize: step.source.maxSize === undefined ? undefined : parseByteSize(step.source.maxSize),
        };
  const exclude = Array.isArray(step.exclude)
    ? { exclusionList: step.exclude, exclusionException: [] }
    : (step.exclude ?? { exclusionList: [], exclusionException: [] });
  return {
    type: step.type,
    source,
    partitions: step.partitions ?? 'all',
    compressionLevel: step.compressionLevel,
    format: step.format,
    compression: step.compression,
    exclude,
    split: step.split === undefined ? undefined : parseByteSize(step.split),
  };
}

function fingerprint(secret: string): string {
  return createHash('sha256').update('capmedia task sequence credential\0').update(secret).digest('hex').slice(0, 16);
}

/** Warnings the build shows for this task sequence (embedded secrets). */
export function taskSequenceWarnings(config: NormalizedConfig): string[] {
  return credentialWarnings(config);
}

/** Single quotes are the one shell quoting with no special characters inside. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** The same document as KEY='value' lines the busybox agent can source without a JSON parser. */
export function taskSequenceVars(doc: TaskSequenceDocument): string {
  const destination = parseDestination(doc.destination);
  const vars: Record<string, string> = {
    CAPMEDIA_TS_VERSION: String(doc.version),
    CAPMEDIA_TS_NAME: doc.name,
    CAPMEDIA_TS_NAME_JSON: JSON.stringify(doc.name),
    CAPMEDIA_TS_IMAGE_NAME: doc.image.name,
    CAPMEDIA_TS_IMAGE_VERSION: doc.image.version ?? '',
    CAPMEDIA_TS_IMAGE_DESCRIPTION: doc.image.description ?? '',
    CAPMEDIA_TS_IMAGE_CREATED_BY: doc.image.createdBy ?? '',
    CAPMEDIA_TS_IMAGE_JSON: JSON.stringify(doc.image),
    CAPMEDIA_TS_IMAGE_NAME_JSON: JSON.stringify(doc.image.name),
    CAPMEDIA_TS_IMAGE_DESCRIPTION_JSON: JSON.stringify(doc.image.description ?? ''),
    CAPMEDIA_TS_IMAGE_DIR: imageFolderBase(doc.image),
    CAPMEDIA_TS_DESTINATION: doc.destination,
    ...(destination.ok ? destinationVars(destination.destination) : {}),
    CAPMEDIA_TS_AFTER: doc.after,
    CAPMEDIA_TS_ON_FAILURE: doc.onFailure,
    CAPMEDIA_TS_CRED_MODE: doc.credentials.mode,
    CAPMEDIA_TS_CRED_USERNAME: doc.credentials.username ?? '',
    ...(doc[EMBEDDED_PASSWORD] === undefined ? {} : { CAPMEDIA_TS_CRED_PASSWORD: doc[EMBEDDED_PASSWORD] }),
    CAPMEDIA_TS_STEPS: String(doc.steps.length),
    ...Object.assign({}, ...doc.steps.map((step, i) => stepVars(step, i + 1))),
  };
  return Object.entries(vars)
    .map(([key, value]) => `${key}=${shellQuote(value.replace(/[\r\n]+/g, ' '))}\n`)
    .join('');
}

function destinationVars(destination: Destination): Record<string, string> {
  const vars: Record<string, string> = { CAPMEDIA_TS_DEST_KIND: destination.kind, CAPMEDIA_TS_DEST_PATH: destination.path };
  if (destination.kind === 'disk') vars.CAPMEDIA_TS_DEST_LABEL = destination.label;
  if (destination.kind === 'http')
    Object.assign(vars, {
      CAPMEDIA_TS_DEST_URL: destination.url,
      CAPMEDIA_TS_DEST_URL_ORIGIN: destination.origin,
      CAPMEDIA_TS_DEST_URL_PATH: destination.path,
    });
  if (destination.kind === 'nfs' || destination.kind === 'smb')
    Object.assign(vars, { CAPMEDIA_TS_DEST_HOST: destination.host, CAPMEDIA_TS_DEST_SHARE: destination.share });
  return vars;
}

function stepVars(step: CaptureDiskStepDocument, n: number): Record<string, string> {
  const selector = step.source === 'auto' ? {} : step.source;
  return {
    [`CAPMEDIA_TS_STEP_${n}_TYPE`]: step.type,
    [`CAPMEDIA_TS_STEP_${n}_SOURCE`]: step.source === 'auto' ? 'auto' : 'select',
    [`CAPMEDIA_TS_STEP_${n}_PATH`]: selector.path ?? '',
    [`CAPMEDIA_TS_STEP_${n}_MODEL`]: selector.model ?? '',
    [`CAPMEDIA_TS_STEP_${n}_SERIAL`]: selector.serial ?? '',
    [`CAPMEDIA_TS_STEP_${n}_MIN_BYTES`]: selector.minSize === undefined ? '' : String(selector.minSize),
    [`CAPMEDIA_TS_STEP_${n}_MAX_BYTES`]: selector.maxSize === undefined ? '' : String(selector.maxSize),
    [`CAPMEDIA_TS_STEP_${n}_PARTITIONS`]: step.partitions === 'all' ? '' : step.partitions.join(' '),
    [`CAPMEDIA_TS_STEP_${n}_LEVEL`]: String(step.compressionLevel),
    [`CAPMEDIA_TS_STEP_${n}_FORMAT`]: step.format,
    [`CAPMEDIA_TS_STEP_${n}_WIM_COMPRESSION`]: step.compression,
    [`CAPMEDIA_TS_STEP_${n}_EXCLUDE`]: step.exclude.exclusionList.join('|'),
    [`CAPMEDIA_TS_STEP_${n}_EXCLUDE_EXCEPTIONS`]: step.exclude.exclusionException.join('|'),
    [`CAPMEDIA_TS_STEP_${n}_SPLIT_MIB`]: step.split === undefined ? '' : String(Math.floor(step.split / 1048576)),
  };
}

/** "Windows 11 Pro" 23H2 → Windows_11_Pro-23H2: safe in file names and URLs everywhere. */
export function imageFolderBase(image: { name: string; version?: string }): string {
  const safe = (text: string) =>
    text
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .replace(/[^A-Za-z0-9._-]+/g, '_')
      .replace(/^[._]+|_+$/g, '') || 'image';
  return image.version ? `${safe(image.name)}-${safe(image.version)}` : safe(image.name);
}
