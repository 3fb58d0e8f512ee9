import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { CapmediaError } from '../errors.js';

/**
 * A pass-through that hashes what flows and fails the pipeline at the end when
 * the bytes are not the expected ones, so a corrupt body never counts as done.
 */
export function hashingPassThrough(sha256: string, size: number, what: string): Transform {
  const hash = createHash('sha256');
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      seen += chunk.length;
      hash.update(chunk);
      callback(null, chunk);
    },
    flush(callback: TransformCallback) {
      const actual = hash.digest('hex');
      if (seen !== size || actual !== sha256) {
        callback(
          new CapmediaError(
            'HASH_MISMATCH',
            `The ${what} is corrupt: got ${seen} bytes with sha256 ${actual.slice(0, 16)}…, expected ${size} bytes with sha256 ${sha256.slice(0, 16)}….`,
            {
              hint: 'The copy on the distribution point is damaged or was changed after publishing; re-publish the package.',
            },
          ),
        );
        return;
      }
      callback();
    },
  });
}
