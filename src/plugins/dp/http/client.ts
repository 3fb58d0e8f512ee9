import { readFileSync } from 'node:fs';
import type { Readable } from 'node:stream';
import type { Agent, Dispatcher } from 'undici';
import { CapmediaError } from '../../../errors/index.js';
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
    if (code === 'UND_ERR_BODY_TIMEOUT') {
      return new TransientError(
        'DOWNLOAD_INTERRUPTED',
        `The transfer of ${what} from ${this.options.name} stalled: no data for ${this.options.stallTimeoutMs / 1000} s.`,
        'response',
      );
    }
    return new TransientError(
      'DOWNLOAD_INTERRUPTED',
      `The transfer of ${what} from ${this.options.name} broke off (${this.describe(error)}).`,
      'response',
    );
  }

  networkError(error: unknown, what: string, signal?: AbortSignal): CapmediaError {
    if (error instanceof CapmediaError) return error;
    if (signal?.aborted) return cancelled();
    const code = errorCode(error);
    const where = `${this.options.name} (${this.options.base.href})`;
    if (code && /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ERR_TLS|ERR_SSL/.test(code)) {
      return new CapmediaError('DP_UNREACHABLE', `${where} is unreachable: its TLS certificate is not trusted (${code}).`, {
        hint: 'Set ca: to the PEM bundle of the CA that signed the server certificate, or fix the certificate. Verification is never turned off.',
      });
    }
    if (code === 'ENOTFOUND' || code === 'EAI_NONAME') {
      return new CapmediaError(
        'DP_UNREACHABLE',
        `${where} is unreachable: the host name ${this.options.base.hostname} does not resolve (DNS).`,
        { hint: 'Check the URL and the DNS settings of this machine.' },
      );
    }
    if (code === 'ECONNREFUSED')
      return new TransientError(
        'DP_UNREACHABLE',
        `${where} is unreachable: the connection was refused (nothing listens on that port).`,
        'connect',
        { hint: 'Check the URL and that the web server runs.' },
      );
    if (
      code === 'UND_ERR_CONNECT_TIMEOUT' ||
      code === 'ETIMEDOUT' ||
      code === 'EHOSTUNREACH' ||
      code === 'ENETUNREACH' ||
      code === 'EAI_AGAIN'
    ) {
      return new TransientError(
        'DP_UNREACHABLE',
        `${where} is unreachable: ${code === 'UND_ERR_CONNECT_TIMEOUT' ? `no connection within ${this.options.connectTimeoutMs / 1000} s` : code}.`,
        'connect',
        {
          hint: 'Check the network path (firewall, proxy, VPN) to the server.',
        },
      );
    }
    if (code === 'UND_ERR_HEADERS_TIMEOUT') {
      // Like a connection timeout: worth retrying a download, not worth making verify wait for.
      return new TransientError(
        'DP_UNREACHABLE',
        `${where} did not answer the request for ${what} within ${this.options.stallTimeoutMs / 1000} s (timeout).`,
        'connect',
      );
    }
    return new TransientError('DP_UNREACHABLE', `${where} failed while fetching ${what}: ${this.describe(error)}.`, 'response');
  }

  /** An answer that is not a success, as the error a user can act on. The body is dropped, never shown. */
  async statusError(response: Response, what: string, operation: 'read' | 'write' = 'read'): Promise<CapmediaError> {
    await response.body.dump().catch(() => undefined);
    const status = response.statusCode;
    const { STATUS_CODES } = await import('node:http');
    const answered = `${this.url('').href} answered ${status} ${STATUS_CODES[status] ?? ''}`.trimEnd();
    const { account } = this.options.credentials;
    const right = operation === 'read' ? 'Read' : 'Write';
    if (status === 401 || status === 403) {
      return new CapmediaError(
        operation === 'read' ? 'NO_READ_PERMISSION' : 'PUBLISH_FAILED',
        `No ${right} permission for ${account} on ${this.options.name}: ${answered} for ${what}.`,
        {
          hint:
            status === 401
              ? 'Check the user name and the password (or token) the distribution point uses.'
              : `Grant ${account} at least ${right} permission on the content library (R4).`,
        },
      );
    }
    if (status === 404 || status === 410) {
      return new CapmediaError(
        'PACKAGE_NOT_FOUND',
        `${capitalize(what)} is not on distribution point ${this.options.name} (${answered}).`,
        {
          hint: `Publish it with \`capmedia distribute <folder> --package <ID> --to ${this.options.base.href}\`, or check the package ID.`,
        },
      );
    }
    if (status >= 500 || status === 429 || status === 408) {
      return new TransientError('DP_UNREACHABLE', `${this.options.name} could not serve ${what}: ${answered}.`, 'response', {
        retryAfterMs: retryAfterMs(response.headers['retry-after']),
      });
    }
    if (status >= 300 && status < 400) {
      return new CapmediaError(
        'DP_UNREACHABLE',
        `${this.options.name} redirects ${what} to ${String(response.headers.location ?? '?')}; capmedia does not follow redirects (credentials must not travel elsewhere).`,
        {
          hint: 'Use the final URL in distributionPoints[].url.',
        },
      );
    }
    return new CapmediaError(
      operation === 'read' ? 'DP_UNREACHABLE' : 'PUBLISH_FAILED',
      `${this.options.name} refused to ${operation} ${what}: ${answered}.`,
      {
        hint:
          operation === 'write' ? 'The server must accept WebDAV PUT there (nginx: dav_methods PUT; create_full_put_path on;).' : undefined,
      },
    );
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
    throw new CapmediaError(
      'CONFIG_INVALID',
      `The CA bundle ${path} of distribution point ${name} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}).`,
      {
        hint: 'Point distributionPoints[].ca at a PEM file.',
      },
    );
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

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
