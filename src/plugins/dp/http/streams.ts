import { createHash } from 'node:crypto';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { CapmediaError } from '../../../errors.js';

/**
 * The response body with its errors translated: undici's socket and timeout
 * errors become sentences (and TransientErrors the fetcher resumes).
 * Translation happens where undici destroys the body, not in an extra
 * stream: at network speed, a pass-through hop costs a sixth of the CPU.
 * A server that ignored Range gets its first `skip` bytes dropped.
 */
export function relayBody(body: Readable, translate: (error: unknown) => Error, skip = 0): Readable {
  const destroy = body.destroy.bind(body);
  body.destroy = (error?: Error) => destroy(error ? translate(error) : error);
  // The error stays on the stream (errored) for whoever pipes it later; until then it must not crash the process.
  body.on('error', () => undefined);
  if (skip === 0) return body;
  const out = skipBytes(skip);
  body.on('error', (error) => out.destroy(error));
  out.on('error', () => undefined);
  out.on('close', () => body.destroy());
  return body.pipe(out);
}

/** Drops the first `count` bytes. */
function skipBytes(count: number): Transform {
  let left = count;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      if (left >= chunk.length) {
        left -= chunk.length;
        callback();
        return;
      }
      const rest = left ? chunk.subarray(left) : chunk;
      left = 0;
      callback(null, rest);
    },
  });
}

/**
 * An upload body that holds back its last chunk until the whole body hashed
 * right: with Content-Length set, a body that changed since it was hashed
 * arrives short, and the server discards it instead of storing bad bytes
 * under a good name.
 */
export function verifiedUpload(sha256: string, size: number, what: string): Transform {
  const hash = createHash('sha256');
  let seen = 0;
  let held: Buffer | undefined;
  return new Transform({
    highWaterMark: 1 << 20,
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      seen += chunk.length;
      hash.update(chunk);
      const previous = held;
      held = chunk;
      callback(null, previous);
    },
    flush(callback: TransformCallback) {
      const actual = hash.digest('hex');
      if (seen !== size || actual !== sha256) {
        callback(
          new CapmediaError(
            'HASH_MISMATCH',
            `The ${what} changed while it was published: got ${seen} bytes with sha256 ${actual.slice(0, 16)}…, expected ${size} bytes with sha256 ${sha256.slice(0, 16)}….`,
            {
              hint: 'Publish again once nothing writes to the source; the distribution point kept no partial copy.',
            },
          ),
        );
        return;
      }
      callback(null, held);
    },
  });
}
