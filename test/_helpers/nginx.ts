import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, connect } from 'node:net';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { execa } from 'execa';
import { makeInTempFolder } from './temp.js';

/** One URL prefix of the test server. */
export interface NginxLocation {
  /** "/good/" — starts and ends with "/". */
  path: string;
  /** Folder served there; for dav locations, where PUT writes. */
  root?: string;
  /** Basic auth with this user and password (htpasswd made with openssl). */
  basic?: { user: string; password: string };
  /** Requests must carry "Authorization: Bearer <token>". */
  bearer?: string;
  /** Every request is answered with this status (a 403 location). */
  status?: number;
  /** Basic auth for everything but GET and HEAD (`limit_except GET HEAD`): anyone reads, only this user writes. */
  basicWrites?: { user: string; password: string };
  /** Accept WebDAV PUT (and DELETE, MOVE), creating folders as needed. */
  dav?: boolean;
}

export interface Nginx {
  /** http://127.0.0.1:<port> */
  url: string;
  /** https://127.0.0.1:<port>, the certificate signed by `caFile`. */
  httpsUrl: string;
  /** PEM of the test CA, made at start. */
  caFile: string;
  dir: string;
  errorLog(): Promise<string>;
  /** The access log so far (combined format: one line per request, with method, path, status and bytes sent). */
  accessLog(): Promise<string>;
  stop(): Promise<void>;
}

/**
 * A real nginx on free loopback ports with its config, pid, logs and temp
 * folders in a temp dir; TLS with a CA and server certificate made by
 * openssl at start. `daemon off` keeps it our child, so stop() ends it.
 */
export function startNginx(locations: readonly NginxLocation[]): Promise<Nginx> {
  return makeInTempFolder('capmedia-nginx-', (dir) => serveFrom(dir, locations));
}

async function serveFrom(dir: string, locations: readonly NginxLocation[]): Promise<Nginx> {
  const caFile = await makeCertificates(dir);
  for (let tries = 1; ; tries++) {
    const [port, tlsPort] = [await freePort(), await freePort()];
    await writeFile(join(dir, 'nginx.conf'), await config(dir, port, tlsPort, locations));
    const child = spawn('nginx', ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (chunk) => (stderr += chunk));
    if (await ready(child, port, tlsPort)) {
      // A test process that dies without its after-hook must not leave nginx running.
      const killOnExit = () => child.kill('SIGKILL');
      process.once('exit', killOnExit);
      const errorLog = () => readFile(join(dir, 'error.log'), 'utf8').catch(() => '');
      const accessLog = () => readFile(join(dir, 'access.log'), 'utf8').catch(() => '');
      const stopServer = async () => {
        process.off('exit', killOnExit);
        await stop(child, dir);
      };
      return {
        url: `http://127.0.0.1:${port}`,
        httpsUrl: `https://127.0.0.1:${tlsPort}`,
        caFile,
        dir,
        errorLog,
        accessLog,
        stop: stopServer,
      };
    }
    child.kill('SIGKILL');
    // Another process may have taken a port between probing and binding.
    if (tries >= 3 || !/Address already in use/.test(stderr)) throw new Error(`nginx did not start:\n${stderr}`);
  }
}

async function config(dir: string, port: number, tlsPort: number, locations: readonly NginxLocation[]): Promise<string> {
  const blocks: string[] = [];
  for (const [index, location] of locations.entries()) {
    const lines: string[] = [];
    if (location.status) lines.push(`return ${location.status};`);
    if (location.root) lines.push(`alias ${location.root.replace(/\/?$/, '/')};`);
    if (location.basic) {
      const file = join(dir, `htpasswd-${index}`);
      const { stdout } = await execa('openssl', ['passwd', '-apr1', '-stdin'], { input: location.basic.password });
      await writeFile(file, `${location.basic.user}:${stdout.trim()}\n`);
      lines.push('auth_basic "capmedia test";', `auth_basic_user_file ${file};`);
    }
    if (location.basicWrites) {
      const file = join(dir, `htpasswd-writes-${index}`);
      const { stdout } = await execa('openssl', ['passwd', '-apr1', '-stdin'], { input: location.basicWrites.password });
      await writeFile(file, `${location.basicWrites.user}:${stdout.trim()}\n`);
      lines.push(`limit_except GET HEAD { auth_basic "capmedia test writes"; auth_basic_user_file ${file}; }`);
    }
    if (location.bearer) lines.push(`if ($http_authorization != "Bearer ${location.bearer}") { return 401; }`);
    if (location.dav)
      lines.push(
        'dav_methods PUT DELETE MOVE;',
        'create_full_put_path on;',
        'dav_access user:rw group:r all:r;',
        'client_max_body_size 0;',
      );
    blocks.push(`    location ${location.path} {\n      ${lines.join('\n      ')}\n    }`);
  }
  const asRoot = process.getuid?.() === 0 ? 'user root root;' : '';
  for (const sub of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) await mkdir(join(dir, sub), { recursive: true });
  return `daemon off;
${asRoot}
worker_processes 1;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')} warn;
events { worker_connections 512; }
http {
  access_log ${join(dir, 'access.log')};
  client_body_temp_path ${join(dir, 'body')};
  proxy_temp_path ${join(dir, 'proxy')};
  fastcgi_temp_path ${join(dir, 'fastcgi')};
  uwsgi_temp_path ${join(dir, 'uwsgi')};
  scgi_temp_path ${join(dir, 'scgi')};
  types { application/json json; }
  default_type application/octet-stream;
  sendfile on;
  tcp_nopush on;
  keepalive_timeout 30;
  server {
    listen 127.0.0.1:${port};
    listen 127.0.0.1:${tlsPort} ssl;
    server_name localhost;
    ssl_certificate ${join(dir, 'server.crt')};
    ssl_certificate_key ${join(dir, 'server.key')};
${blocks.join('\n')}
  }
}
`;
}

/** A test CA and a server certificate for 127.0.0.1 and localhost, signed by it. */
async function makeCertificates(dir: string): Promise<string> {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const at = (name: string) => join(dir, name);
  await execa('openssl', [
    'req',
    '-x509',
    ...ec,
    '-keyout',
    at('ca.key'),
    '-out',
    at('ca.crt'),
    '-days',
    '2',
    '-subj',
    '/CN=capmedia test CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  await execa('openssl', ['req', ...ec, '-keyout', at('server.key'), '-out', at('server.csr'), '-subj', '/CN=localhost']);
  await writeFile(at('server.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n');
  await execa('openssl', [
    'x509',
    '-req',
    '-in',
    at('server.csr'),
    '-CA',
    at('ca.crt'),
    '-CAkey',
    at('ca.key'),
    '-CAcreateserial',
    '-out',
    at('server.crt'),
    '-days',
    '2',
    '-extfile',
    at('server.ext'),
  ]);
  return at('ca.crt');
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function ready(child: ChildProcess, ...ports: number[]): Promise<boolean> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) return false;
    const open = await Promise.all(ports.map(accepts));
    if (open.every(Boolean)) return true;
    await delay(50);
  }
  return false;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

async function stop(child: ChildProcess, dir: string): Promise<void> {
  if (child.exitCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await Promise.race([exited, delay(5_000).then(() => child.kill('SIGKILL'))]);
  }
  // Workers may still be closing their logs for a moment after the master exited.
  await rm(dir, { recursive: true, force: true, maxRetries: 5 });
}
