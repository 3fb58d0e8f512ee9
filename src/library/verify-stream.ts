import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { CapmediaError, fail } from '../errors/index.js';

export interface HashCheck {
  sha256: string;
  size: number;
  /** Says what went wrong, given what arrived: "The blob … is corrupt: got …". */
  mismatch: (seen: number, actual: string) => CapmediaError;
  /**
   * Hold back the last chunk until the whole body hashed right: with
   * Content-Length set, an upload that changed since it was hashed then arrives
   * short, and the server discards it instead of storing bad bytes under a good name.
   */
  holdLastChunk?: boolean;
}

/** A pass-through that hashes what flows and fails the pipeline at the end when the bytes are not the expected ones. */
export function checkingHash(check: HashCheck): Transform {
  const hash = createHash('sha256');
  let seen = 0;
  let held: Buffer | undefined;
  return new Transform({
    highWaterMark: check.holdLastChunk ? 1 << 20 : undefined,
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      seen += chunk.length;
      hash.update(chunk);
      if (!check.holdLastChunk) return callback(null, chunk);
      const previous = held;
      held = chunk;
      callback(null, previous);
    },
    flush(callback: TransformCallback) {
      const actual = hash.digest('hex');
      if (seen !== check.size || actual !== check.sha256) return callback(check.mismatch(seen, actual));
      callback(null, held);
    },
  });
}

const describe = (seen: number, actual: string, size: number, sha256: string) =>
  `got ${seen} bytes with sha256 ${actual.slice(0, 16)}…, expected ${size} bytes with sha256 ${sha256.slice(0, 16)}…`;

/** So a corrupt body never counts as done. */
export function hashingPassThrough(sha256: string, size: number, what: string): Transform {
  return checkingHash({
    sha256,
    size,
    mismatch: (seen, actual) => fail('contentCorrupt', { what, found: describe(seen, actual, size, sha256) }),
  });
}

/** An upload body that never lets a changed source through whole. */
export function verifiedUpload(sha256: string, size: number, what: string): Transform {
  return checkingHash({
    sha256,
    size,
    holdLastChunk: true,
    mismatch: (seen, actual) => fail('contentChangedWhilePublished', { what, found: describe(seen, actual, size, sha256) }),
  });
}
