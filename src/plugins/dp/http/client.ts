import { readFileSync } from 'node:fs';
import type { Readable } from 'node:stream';
import type { Agent, Dispatcher } from 'undici';
import { CapmediaError, fail } from '../../../errors/index.js';
import { redact, type Credentials } from '../auth.js';
import { TransientError, cancelled } from '../retry.js';

export interface HttpClientOptions {
  /** Distribution point name, for messages. */
  name: string;
  /** Library root, ending in "/"; carries no credentials. */
  base: URL;
  credentials: Credentials;
  /** PEM bundle trusted in addition to the system's roots. */
  caFile?: string;
  connectTimeoutMs: number;
  /** No byte for this long (headers or body) counts as a stall. */
  stallTimeoutMs: number;
}

export interface SendOptions {
  headers?: Record<string, string>;
  body?: Readable | Buffer;
  signal?: AbortSignal;
}

export type Response = Dispatcher.ResponseData;

/** One keep-alive connection pool per distribution point; TLS verification is always on. */
export class HttpClient {
  private agent: Agent | undefined;

  constructor(readonly options: HttpClientOptions) {
    // Fail fast on an unreadable CA, before any request.
    if (options.caFile) readCa(options.name, options.caFile);
  }

  /** undici loads on the first request: a build from file: distribution points never pays for it. */
  private async connection(): Promise<{ agent: Agent; request: typeof import('undici').request }> {
    const loaded = await import('undici');
    // In the bundled CLI a CommonJS package imported on use arrives as its default export only.
    const undici = 'Agent' in loaded ? loaded : (loaded as unknown as { default: typeof loaded }).default;
    if (!this.agent) {
      // node:tls and node:http load with the first request too (~5 ms of CPU at start-up otherwise).
      const { rootCertificates } = await import('node:tls');
      const ca = this.options.caFile ? [...rootCertificates, readCa(this.options.name, this.options.caFile)] : undefined;
      this.agent = new undici.Agent({
        connect: { ca, timeout: this.options.connectTimeoutMs, rejectUnauthorized: true },
        headersTimeout: this.options.stallTimeoutMs,
        bodyTimeout: this.options.stallTimeoutMs,
        keepAliveTimeout: 10_000,
        connections: 16,
      });
    }
    return { agent: this.agent, request: undici.request };
  }

  url(path: string): URL {
    return new URL(path, this.options.base);
  }

  /** Sends one request; network failures come back as CapmediaErrors that say what happened and whether to retry. */
  async send(method: string, path: string, what: string, options: SendOptions = {}): Promise<Response> {
    const headers: Record<string, string> = { 'accept-encoding': 'identity', ...options.headers };
    if (this.options.credentials.header) headers.authorization = this.options.credentials.header;
    try {
      const { agent, request } = await this.connection();
      return await request(this.url(path), {
        method: method as Dispatcher.HttpMethod,
        headers,
        body: options.body,
        signal: options.signal,
        dispatcher: agent,
      });
    } catch (error) {
      throw this.networkError(error, what, options.signal);
    }
  }

  /** Errors of a body being read: a stall or a cut connection is worth resuming. */
  bodyError(error: unknown, what: string, signal?: AbortSignal): CapmediaError {
    if (signal?.aborted) return cancelled();
    const code = errorCode(error);
    const { name, stallTimeoutMs } = this.options;
    if (code === 'UND_ERR_BODY_TIMEOUT')
      return TransientError.from(fail('httpTransferStalled', { what, name, seconds: stallTimeoutMs / 1000 }), 'response');
    return TransientError.from(fail('httpTransferBrokeOff', { what, name, reason: this.describe(error) }), 'response');
  }

  networkError(error: unknown, what: string, signal?: AbortSignal): CapmediaError {
    if (error instanceof CapmediaError) return error;
    if (signal?.aborted) return cancelled();
    const code = errorCode(error);
    const where = `${this.options.name} (${this.options.base.href})`;
    if (code && /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ERR_TLS|ERR_SSL/.test(code)) {
      return fail('httpCertificateUntrusted', { where, code });
    }
    if (code === 'ENOTFOUND' || code === 'EAI_NONAME') {
      return fail('httpHostUnresolved', { where, host: this.options.base.hostname });
    }
    if (code === 'ECONNREFUSED') return TransientError.from(fail('httpConnectionRefused', { where }), 'connect');
    if (
      code === 'UND_ERR_CONNECT_TIMEOUT' ||
      code === 'ETIMEDOUT' ||
      code === 'EHOSTUNREACH' ||
      code === 'ENETUNREACH' ||
      code === 'EAI_AGAIN'
    ) {
      const reason = code === 'UND_ERR_CONNECT_TIMEOUT' ? `no connection within ${this.options.connectTimeoutMs / 1000} s` : code;
      return TransientError.from(fail('httpNoConnection', { where, reason }), 'connect');
    }
    if (code === 'UND_ERR_HEADERS_TIMEOUT') {
      // Like a connection timeout: worth retrying a download, not worth making verify wait for.
      return TransientError.from(fail('httpNoAnswer', { where, what, seconds: this.options.stallTimeoutMs / 1000 }), 'connect');
    }
    return TransientError.from(fail('httpRequestFailed', { where, what, reason: this.describe(error) }), 'response');
  }

  /** An answer that is not a success, as the error a user can act on. The body is dropped, never shown. */
  async statusError(response: Response, what: string, operation: 'read' | 'write' = 'read'): Promise<CapmediaError> {
    await response.body.dump().catch(() => undefined);
    const status = response.statusCode;
    const { STATUS_CODES } = await import('node:http');
    const answered = `${this.url('').href} answered ${status} ${STATUS_CODES[status] ?? ''}`.trimEnd();
    const { account } = this.options.credentials;
    const { name } = this.options;
    if (status === 401 || status === 403) return fail('httpPermissionRefused', { operation, status, account, name, answered, what });
    if (status === 404 || status === 410) return fail('httpNotFound', { what, name, answered, url: this.options.base.href });
    if (status >= 500 || status === 429 || status === 408) {
      return TransientError.from(
        fail('httpServerBusy', { name, what, answered }),
        'response',
        retryAfterMs(response.headers['retry-after']),
      );
    }
    if (status >= 300 && status < 400) return fail('httpRedirected', { name, what, location: String(response.headers.location ?? '?') });
    return fail(operation === 'read' ? 'httpReadRefused' : 'httpWriteRefused', { name, what, answered });
  }

  describe(error: unknown): string {
    const message = error instanceof Error ? error.message : String(error);
    const code = errorCode(error);
    return redact(code && !message.includes(code) ? `${message} (${code})` : message, this.options.credentials.secrets);
  }

  async close(): Promise<void> {
    await this.agent?.close();
  }
}

function readCa(name: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw fail('httpCaUnreadable', { path, name, code: (error as NodeJS.ErrnoException).code ?? 'error' }, { cause: error });
  }
}

function errorCode(error: unknown): string | undefined {
  const e = error as { code?: string; cause?: { code?: string } } | undefined;
  return e?.code ?? e?.cause?.code;
}

function retryAfterMs(header: string | string[] | undefined): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return seconds * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}
