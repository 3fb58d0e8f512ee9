import { createHash } from 'node:crypto';

/**
 * A cache key is the sha256 of its pre-image: a plain object naming exactly
 * the step's inputs. The pre-image is stored with the record so a miss can be
 * explained as a diff (mkosi's cache manifest).
 */
export type Preimage = Record<string, unknown>;

export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
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
