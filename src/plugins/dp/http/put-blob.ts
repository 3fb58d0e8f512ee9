import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { HttpClient } from './client.js';
import { verifiedUpload } from './streams.js';

export interface BlobUpload {
  /** Where it goes, relative to the client's base URL (e.g. files/ab/ab…, cas/ab…). */
  path: string;
  sha256: string;
  size: number;
  /** Opens the bytes to send; they are hashed on the way, and a mismatch fails the PUT. */
  body: () => Readable;
  /** For messages, e.g. "blob 0123456789ab…". */
  what: string;
  signal?: AbortSignal;
}

/** One PUT of a content-addressed blob, shared by distribution points and the remote cache. */
export async function putVerifiedBlob(client: HttpClient, upload: BlobUpload): Promise<void> {
  const verified = verifiedUpload(upload.sha256, upload.size, upload.what);
  const feeding = pipeline(upload.body(), verified).catch(() => undefined);
  let response: Awaited<ReturnType<HttpClient['send']>>;
  try {
    response = await client.send('PUT', upload.path, upload.what, {
      signal: upload.signal,
      body: verified,
      headers: { 'content-length': String(upload.size), 'content-type': 'application/octet-stream' },
    });
  } finally {
    // A server may answer (401, 405) before reading the body: close the source either way.
    verified.destroy();
    await feeding;
  }
  if (response.statusCode < 200 || response.statusCode > 299) throw await client.statusError(response, upload.what, 'write');
  await response.body.dump();
}
