import { createReadStream, readFileSync } from 'node:fs';
import { CapmediaError, fail } from '../../errors/index.js';
import { HttpClient, type Response } from '../../plugins/dp/http/client.js';
import { relayBody } from '../../plugins/dp/http/streams.js';
import { putVerifiedBlob } from '../../plugins/dp/http/put-blob.js';
import { markVerified } from '../blobs.js';
import type { ContentStore } from '../store.js';
import { METADATA_RETRIES, isTransient, withRetries } from '../../plugins/dp/retry.js';
import type { RemoteCacheSettings } from './settings.js';
import { sign, verify, type SignedRecord } from './signing.js';
import type { RemoteStats } from './stats.js';

/** A remote that stumbles twice is not worth waiting for: the work can be done here. */
const REMOTE_RETRIES = { ...METADATA_RETRIES, attempts: 2 };

/** Action records are small JSON; anything larger is not ours. */
const MAX_RECORD_BYTES = 64 << 20;

/** The distribution points' client; an unreadable CA is a config error that names cache.remote.ca. */
function remoteClient(settings: RemoteCacheSettings): HttpClient {
  if (settings.caFile) checkCaReadable(settings.caFile);
  return new HttpClient({
    name: 'remote cache',
    base: settings.base,
    credentials: settings.credentials,
    caFile: settings.caFile,
    connectTimeoutMs: settings.connectTimeoutMs,
    stallTimeoutMs: settings.stallTimeoutMs,
  });
}

function checkCaReadable(path: string): void {
  try {
    readFileSync(path);
  } catch (error) {
    throw fail('remoteCacheCaUnreadable', { path, code: (error as NodeJS.ErrnoException).code ?? 'error' }, { cause: error });
  }
}

/**
 * Bazel's HTTP cache protocol over the distribution points' HTTP client:
 * GET/HEAD/PUT <url>/cas/<sha256> and <url>/ac/<key>. The remote only ever
 * speeds a build up: every failure is a miss or a warning, never an error,
 * and the first sign that it cannot be reached turns it off for the build.
 */
export class RemoteCache {
  readonly stats: RemoteStats;
  private offline = false;
  private closing?: Promise<void>;
  private readonly warned = new Set<string>();
  private readonly client: HttpClient;

  constructor(
    readonly settings: RemoteCacheSettings,
    private readonly warn: (message: string) => void,
    /** Ctrl-C: transfers stop at once instead of finishing in the background. */
    private readonly signal?: AbortSignal,
  ) {
    this.client = remoteClient(settings);
    this.stats = {
      url: settings.base.href,
      write: this.canWrite,
      hits: 0,
      misses: 0,
      ignored: 0,
      blobsDown: 0,
      bytesDown: 0,
      blobsUp: 0,
      bytesUp: 0,
      recordsUp: 0,
    };
    if (settings.signingKeyMissing) {
      this.offline = true;
      this.warnOnce(
        'signing',
        `the remote cache signs its records with the key in $${settings.signingKeyMissing} (cache.remote.signingKeyEnv), which is not set: the remote cache is not used`,
      );
    }
  }

  get canWrite(): boolean {
    return this.settings.write && !this.settings.signingKeyMissing;
  }

  get usable(): boolean {
    return !this.offline;
  }

  /** The action record under key, when present and (with a signing key) signed by that key. */
  async getRecord<T extends { key: string; outputs: unknown }>(
    key: string,
    isOutputs: (outputs: unknown) => boolean,
  ): Promise<T | undefined> {
    const stored = await this.request(`ac/${key}`, 'GET', async (response) => {
      if (response.statusCode === 404 || response.statusCode === 410) return void (await response.body.dump());
      if (response.statusCode !== 200) {
        const error = await this.client.statusError(response, `action record ${key.slice(0, 12)}`);
        return isTransient(error) ? Promise.reject(error) : this.refused(error);
      }
      if (Number(response.headers['content-length'] ?? 0) > MAX_RECORD_BYTES) return void (await response.body.dump());
      return response.body.text();
    });
    if (stored === undefined) {
      this.stats.misses++;
      return undefined;
    }
    let record: T | undefined;
    try {
      record = verify(JSON.parse(stored) as SignedRecord<T>, this.settings.signingKey);
    } catch {
      record = undefined;
    }
    if (!record || record.key !== key || !isOutputs(record.outputs)) {
      this.stats.ignored++;
      this.stats.misses++;
      this.warnOnce(
        `record:${key}`,
        `remote action record ${key} is ${!record && this.settings.signingKey ? 'unsigned or badly signed' : 'not a valid capmedia record'}; ignored`,
      );
      return undefined;
    }
    this.stats.hits++;
    return record;
  }

  /**
   * Brings cas/<sha256> into the local store. The body is hashed on the way
   * in: a blob that does not match its name never gets a name locally.
   */
  async fetchBlob(store: ContentStore, sha256: string, size: number): Promise<boolean> {
    if (this.offline) return false;
    try {
      if (!(await this.retried(() => this.download(store, sha256, size)))) return false;
      await markVerified(store, sha256);
      this.stats.blobsDown++;
      this.stats.bytesDown += size;
      return true;
    } catch (error) {
      if (error instanceof CapmediaError && error.code === 'HASH_MISMATCH') {
        this.stats.ignored++;
        this.warnOnce(`blob:${sha256}`, `remote blob ${sha256} does not match its name; ignored`);
        return false;
      }
      this.failed(error);
      return false;
    }
  }

  /** One attempt, from byte 0: bytes left by an earlier attempt may be from a distribution point or a bad copy. */
  private async download(store: ContentStore, sha256: string, size: number): Promise<boolean> {
    const what = `remote blob ${sha256}`;
    let partial = await store.openPartial(sha256, size);
    if (partial.bytes > 0) {
      await partial.discard();
      partial = await store.openPartial(sha256, size);
    }
    try {
      const response = await this.client.send('GET', `cas/${sha256}`, what, { signal: this.signal });
      if (response.statusCode === 404 || response.statusCode === 410) {
        await response.body.dump();
        return false;
      }
      if (response.statusCode !== 200) {
        const error = await this.client.statusError(response, what);
        if (isTransient(error)) throw error;
        this.refused(error);
        return false;
      }
      const length = Number(response.headers['content-length']);
      if (Number.isFinite(length) && length !== size) {
        await response.body.dump();
        throw fail('remoteBlobSizeWrong', { what, length, size });
      }
      await partial.append(async () => relayBody(response.body, (error) => this.client.bodyError(error, what)));
      await partial.commit(what);
      return true;
    } catch (error) {
      await partial.discard();
      throw error;
    }
  }

  /** Uploads a local file as cas/<sha256> unless the remote has it; false (with a warning) when it could not. */
  async putBlobFile(sha256: string, size: number, path: string): Promise<boolean> {
    if (this.offline || !this.canWrite) return false;
    const what = `blob ${sha256.slice(0, 12)}…`;
    try {
      await this.retried(() => this.upload(sha256, size, path, what));
      return true;
    } catch (error) {
      this.uploadFailed(error);
      return false;
    }
  }

  private async upload(sha256: string, size: number, path: string, what: string): Promise<void> {
    const head = await this.client.send('HEAD', `cas/${sha256}`, what, { signal: this.signal });
    await head.body.dump();
    if (head.statusCode === 200 && Number(head.headers['content-length']) === size) return;
    await putVerifiedBlob(this.client, {
      path: `cas/${sha256}`,
      sha256,
      size,
      body: () => createReadStream(path),
      what: `upload of ${path}`,
      signal: this.signal,
    });
    this.stats.blobsUp++;
    this.stats.bytesUp += size;
  }

  /** Writes ac/<key>: only after every blob it names is in cas/ (the caller's order), signed when a key is set. */
  async putRecord(key: string, record: { key: string }): Promise<boolean> {
    if (this.offline || !this.canWrite) return false;
    const bytes = Buffer.from(`${JSON.stringify(sign(record, this.settings.signingKey))}\n`);
    try {
      await this.retried(async () => {
        const response = await this.client.send('PUT', `ac/${key}`, `action record ${key.slice(0, 12)}`, {
          signal: this.signal,
          body: bytes,
          headers: { 'content-type': 'application/json' },
        });
        if (response.statusCode < 200 || response.statusCode > 299)
          throw await this.client.statusError(response, `action record ${key.slice(0, 12)}`, 'write');
        await response.body.dump();
      });
      this.stats.recordsUp++;
      this.stats.bytesUp += bytes.length;
      return true;
    } catch (error) {
      this.uploadFailed(error);
      return false;
    }
  }

  close(): Promise<void> {
    this.closing ??= this.client.close().catch(() => undefined);
    return this.closing;
  }

  /**
   * A server that answered but stumbled (5xx, 429, a cut body) is asked again, as
   * distribution points are; one that cannot be reached is not: the build should not wait for it.
   */
  private retried<T>(work: () => Promise<T>): Promise<T> {
    return withRetries(work, { ...REMOTE_RETRIES, signal: this.signal }, (error) => isTransient(error, ['response']));
  }

  private async request<T>(path: string, method: string, read: (response: Response) => Promise<T | undefined>): Promise<T | undefined> {
    if (this.offline) return undefined;
    try {
      return await this.retried(async () => read(await this.client.send(method, path, path, { signal: this.signal })));
    } catch (error) {
      this.failed(error);
      return undefined;
    }
  }

  /** The server answered, but not with the blob or record (401, 403, 5xx): a miss, said once. */
  private refused(error: CapmediaError): undefined {
    this.warnOnce('refused', `the remote cache refused a read (${error.message}); those steps run locally`);
    return undefined;
  }

  /** A connection that fails or stalls will not get better during this build: one warning, then local only. */
  private failed(error: unknown): void {
    if (error instanceof CapmediaError && error.code === 'CANCELLED') throw error;
    this.offline = true;
    this.stats.unreachable = true;
    this.warnOnce('unreachable', `${this.reason(error)}; the build goes on without the remote cache`);
  }

  private uploadFailed(error: unknown): void {
    if (this.signal?.aborted) return;
    // A server that cannot be reached is not tried again for every remaining blob.
    if (isTransient(error, ['connect'])) this.offline = true;
    this.warnOnce('upload', `an upload to the remote cache failed (${this.reason(error)}); the build is not affected`);
  }

  /** Our own errors already read as sentences (and name no secret); other libraries' text is scrubbed. */
  private reason(error: unknown): string {
    return (error instanceof CapmediaError ? error.message : this.client.describe(error)).replace(/\.$/, '');
  }

  private warnOnce(topic: string, message: string): void {
    if (this.warned.has(topic)) return;
    this.warned.add(topic);
    this.warn(message);
  }
}
