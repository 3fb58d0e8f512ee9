import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { readFile, stat } from 'node:fs/promises';
import { join, normalize } from 'node:path';

/**
 * Faults nginx cannot produce, on the first GET of every blob:
 *   truncate — promises the whole body, sends half, cuts the connection
 *   short    — no length, sends half, ends cleanly (only the size tells)
 *   stall    — promises the whole body, sends half, then nothing
 *   flaky    — answers 503 `burst` times, then serves
 *   hang     — never answers anything (not even manifests)
 *   hangfiles — serves manifests, never answers for a blob (not even HEAD)
 * `plain` serves normally. All modes honour Range on later requests.
 */
export type FaultMode = 'plain' | 'truncate' | 'short' | 'stall' | 'flaky' | 'hang' | 'hangfiles';

export interface LoggedRequest {
  mode: string;
  method: string;
  path: string;
  range?: string;
  status: number;
}

export interface FaultServer {
  url(mode: FaultMode): string;
  requests: LoggedRequest[];
  stop(): Promise<void>;
}

export async function startFaultServer(root: string, options: { burst?: number } = {}): Promise<FaultServer> {
  const burst = options.burst ?? 3;
  const seen = new Map<string, number>();
  const requests: LoggedRequest[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const [, mode, ...rest] = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname).split('/');
    const path = rest.join('/');
    const log = (status: number) => requests.push({ mode, method: req.method ?? '', path, range: req.headers.range, status });
    if (mode === 'hang' || (mode === 'hangfiles' && path.startsWith('files/'))) return;
    const file = join(root, normalize(`/${path}`));
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile()) return void (log(404), res.writeHead(404).end());
    const body = await readFile(file);
    const blobGet = req.method === 'GET' && path.startsWith('files/');
    const count = (seen.get(`${mode}:${path}`) ?? 0) + 1;
    if (blobGet) seen.set(`${mode}:${path}`, count);
    if (blobGet && mode === 'flaky' && count <= burst) return void (log(503), res.writeHead(503, { 'retry-after': '0' }).end('busy'));
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const start = range ? Number(range[1]) : 0;
    const faulty = blobGet && count === 1 && !range && ['truncate', 'short', 'stall'].includes(mode);
    const status = range ? 206 : 200;
    log(status);
    const headers: Record<string, string | number> = { 'content-type': 'application/octet-stream', 'accept-ranges': 'bytes' };
    if (mode !== 'short' || !faulty) headers['content-length'] = body.length - start;
    if (range) headers['content-range'] = `bytes ${start}-${body.length - 1}/${body.length}`;
    res.writeHead(status, headers);
    if (req.method === 'HEAD') return void res.end();
    if (!faulty) return void res.end(body.subarray(start));
    const half = body.subarray(0, Math.floor(body.length / 2));
    if (mode === 'short') return void res.end(half);
    res.write(half, () => {
      // end(), not destroy(): the half sent is flushed before the connection closes.
      if (mode === 'truncate') res.socket?.end();
    });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: (mode) => `http://127.0.0.1:${port}/${mode}/`,
    requests,
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
