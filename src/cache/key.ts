import { createHash } from 'node:crypto';

/**
 * A cache key is the sha256 of its pre-image: a plain object naming exactly
 * the step's inputs. The pre-image is stored with the record so a miss can be
 * explained as a diff (mkosi's cache manifest).
 */
export type Preimage = Record<string, unknown>;

/**
 * JSON with object keys sorted and undefined members left out. The stage key's pre-image lists every file of the
 * media and this runs on it before every build: arrays of plain values (the file list) go to JSON.stringify whole,
 * which writes them the same; the rest is written by loops appending to one string.
 */
export function stableJson(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return plainValues(value) ? JSON.stringify(value) : arrayJson(value);
  if (value && typeof value === 'object') return objectJson(value as Record<string, unknown>);
  return JSON.stringify(value) ?? 'null';
}

/**
 * Strings, numbers, booleans and nulls, or arrays of them, with no hole and no toJSON: where JSON.stringify and the
 * loops below agree (undefined, a hole, an object or a function is written differently by one of them).
 */
function plainValues(items: readonly unknown[]): boolean {
  if ('toJSON' in items) return false;
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    const type = typeof item;
    if (type === 'string' || type === 'number' || type === 'boolean' || item === null) continue;
    if (!Array.isArray(item) || !plainValues(item)) return false;
  }
  return true;
}

function arrayJson(items: readonly unknown[]): string {
  let text = '[';
  for (let i = 0; i < items.length; i++) {
    if (i > 0) text += ',';
    // A hole is written as nothing, as Array.prototype.join writes it.
    if (items[i] !== undefined || i in items) text += stableJson(items[i]);
  }
  return `${text}]`;
}

function objectJson(object: Record<string, unknown>): string {
  let text = '{';
  for (const key of Object.keys(object).sort()) {
    const item = object[key];
    if (item === undefined) continue;
    if (text.length > 1) text += ',';
    text += `${JSON.stringify(key)}:${stableJson(item)}`;
  }
  return `${text}}`;
}

export function cacheKey(preimage: Preimage): string {
  return createHash('sha256').update(stableJson(preimage)).digest('hex');
}

export function shortKey(key: string): string {
  return key.slice(0, 12);
}

/** Which inputs differ between two pre-images, as sentences for `capmedia plan`. */
export function diffPreimages(previous: Preimage | undefined, current: Preimage): string[] {
  if (!previous) return ['never built before'];
  const keys = [...new Set([...Object.keys(previous), ...Object.keys(current)])].sort();
  return keys
    .filter((key) => stableJson(previous[key]) !== stableJson(current[key]))
    .map((key) => `${key} changed: ${summarize(previous[key])} → ${summarize(current[key])}`);
}

function summarize(value: unknown): string {
  if (value === undefined) return '(none)';
  const text = stableJson(value);
  if (text.length <= 48) return text;
  return `#${createHash('sha256').update(text).digest('hex').slice(0, 10)}`;
}
