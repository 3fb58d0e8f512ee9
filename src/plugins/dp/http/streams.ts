import { Transform, type Readable, type TransformCallback } from 'node:stream';

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

export { verifiedUpload } from '../../../library/verify-stream.js';
