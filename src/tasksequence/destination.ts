/**
 * The capture destination string, parsed once at build time so the busybox
 * agent never has to take a URL apart:
 *   disk:<FS-LABEL>[/path]          a file system with that label on any disk
 *   http(s)://host[:port]/path      WebDAV: MKCOL + PUT
 *   nfs://host/export               the whole path is the export, mounted
 *   smb://host/share[/path]
 */

export type Destination =
  | { kind: 'disk'; label: string; path: string }
  | { kind: 'http'; url: string; origin: string; path: string }
  | { kind: 'nfs'; host: string; share: string; path: string }
  | { kind: 'smb'; host: string; share: string; path: string };

export type ParsedDestination = { ok: true; destination: Destination } | { ok: false; problem: string };

/** ext4 labels hold 16 bytes, FAT 11 (mkfs.fat refuses more), exFAT 11 characters. */
const LABEL = /^[A-Za-z0-9_.-]{1,16}$/;
const SEGMENT = /^[A-Za-z0-9._~ -]+$/;

export function parseDestination(text: string): ParsedDestination {
  if (text.startsWith('disk:')) return parseDisk(text.slice('disk:'.length));
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return problem('a URL that cannot be parsed');
  }
  if (url.username || url.password)
    return problem('a URL with credentials in it; they would be written to the media in clear: use taskSequence.credentials');
  if (url.search || url.hash) return problem('a URL with a query or fragment; the image folder name is appended to the path');
  if (!url.hostname) return problem('a URL without a host');
  const segments = pathSegments(url.pathname);
  if (typeof segments === 'string') return problem(segments);
  switch (url.protocol) {
    case 'http:':
    case 'https:':
      return ok({
        kind: 'http',
        origin: url.origin,
        path: segments.map(encodeURIComponent).join('/'),
        url: [url.origin, ...segments.map(encodeURIComponent)].join('/'),
      });
    case 'nfs:':
      if (segments.length === 0) return problem('an nfs:// URL without the export path (nfs://host/export/path)');
      return ok({ kind: 'nfs', host: url.hostname, share: `/${segments.join('/')}`, path: '' });
    case 'smb:':
      if (segments.length === 0) return problem('an smb:// URL without the share name (smb://host/share/path)');
      return ok({ kind: 'smb', host: url.hostname, share: segments[0], path: segments.slice(1).join('/') });
    default:
      return problem(`the scheme ${url.protocol}`);
  }
}

function parseDisk(rest: string): ParsedDestination {
  const [label, ...segments] = rest.split('/');
  if (!LABEL.test(label))
    return problem(`the label ${JSON.stringify(label)}: a file-system label is 1 to 16 letters, digits, "_", "." or "-"`);
  const checked = pathSegments(segments.join('/'));
  if (typeof checked === 'string') return problem(checked);
  return ok({ kind: 'disk', label, path: checked.join('/') });
}

/** Decoded, non-empty segments; a string explains why the path is refused. */
function pathSegments(path: string): string[] | string {
  const segments = path
    .split('/')
    .filter(Boolean)
    .map((segment) => safeDecode(segment));
  for (const segment of segments) {
    if (segment === undefined || segment === '.' || segment === '..' || !SEGMENT.test(segment)) {
      return `a path with the part ${JSON.stringify(segment ?? '?')}: folder names may hold letters, digits, space, ".", "_", "~" and "-", and may not be "." or ".."`;
    }
  }
  return segments as string[];
}

function safeDecode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

const ok = (destination: Destination): ParsedDestination => ({ ok: true, destination });
const problem = (what: string): ParsedDestination => ({ ok: false, problem: what });
