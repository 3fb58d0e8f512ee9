import { createHmac, timingSafeEqual } from 'node:crypto';
import { stableJson } from '../key.js';

const SCHEME = 'hmac-sha256';

/** An action record as stored remotely: the record, and its HMAC when the cache is signed. */
export interface SignedRecord<T> {
  record: T;
  signature?: string;
}

export function sign<T>(record: T, key: Buffer | undefined): SignedRecord<T> {
  return key ? { record, signature: `${SCHEME}:${mac(record, key)}` } : { record };
}

/**
 * The record when it may be trusted: with a key, only if signed by it (an
 * unsigned record is what a poisoner without the key would write).
 */
export function verify<T>(stored: SignedRecord<T>, key: Buffer | undefined): T | undefined {
  if (!key) return stored.record;
  const [scheme, hex] = (stored.signature ?? '').split(':');
  if (scheme !== SCHEME || !/^[0-9a-f]{64}$/.test(hex ?? '')) return undefined;
  const expected = Buffer.from(mac(stored.record, key), 'hex');
  return timingSafeEqual(expected, Buffer.from(hex, 'hex')) ? stored.record : undefined;
}

function mac(record: unknown, key: Buffer): string {
  return createHmac('sha256', key).update(stableJson(record)).digest('hex');
}
