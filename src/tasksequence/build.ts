import type { NormalizedConfig } from '../config/normalize.js';

/** Written to SMS/data/ on the media; versioned so the agent can refuse what it does not know. */
export const TASK_SEQUENCE_VERSION = 1;
export const TASK_SEQUENCE_JSON = 'SMS/data/TaskSequence.json';
export const TASK_SEQUENCE_VARS = 'SMS/data/TaskSequence.vars';

export interface TaskSequenceDocument {
  version: number;
  name: string;
  image: { name: string; version?: string; description?: string; createdBy?: string };
  destination: string;
  after: 'poweroff' | 'reboot' | 'shell';
  steps: Array<{ type: 'capture-disk'; source: 'auto' }>;
}

export function taskSequenceDocument(config: NormalizedConfig): TaskSequenceDocument {
  const ts = config.taskSequence;
  return {
    version: TASK_SEQUENCE_VERSION,
    name: ts.name ?? `Capture ${ts.image.name}`,
    image: ts.image,
    destination: ts.destination,
    after: ts.after,
    steps: [{ type: 'capture-disk', source: 'auto' }],
  };
}

/** Single quotes are the one shell quoting with no special characters inside. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** The same document as KEY='value' lines the busybox agent can source without a JSON parser. */
export function taskSequenceVars(doc: TaskSequenceDocument): string {
  const vars: Record<string, string> = {
    CAPMEDIA_TS_VERSION: String(doc.version),
    CAPMEDIA_TS_NAME: doc.name,
    CAPMEDIA_TS_IMAGE_NAME: doc.image.name,
    CAPMEDIA_TS_IMAGE_VERSION: doc.image.version ?? '',
    CAPMEDIA_TS_IMAGE_DESCRIPTION: doc.image.description ?? '',
    CAPMEDIA_TS_IMAGE_CREATED_BY: doc.image.createdBy ?? '',
    CAPMEDIA_TS_DESTINATION: doc.destination,
    CAPMEDIA_TS_AFTER: doc.after,
  };
  return Object.entries(vars)
    .map(([key, value]) => `${key}=${shellQuote(value.replace(/[\r\n]+/g, ' '))}\n`)
    .join('');
}
