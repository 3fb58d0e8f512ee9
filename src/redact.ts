/**
 * The one place secrets are taken out of text: every message, log line,
 * --json document and cache key that can hold a URL goes through here.
 */

/** scheme://user:password@host → scheme://user:***@host; scheme://token@host → scheme://***@host. */
const USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#"'<>]*)@/gi;
/** Query parameters that carry credentials (signed URLs, API keys). */
const SECRET_QUERY =
  /([?&](?:password|passwd|pwd|secret|token|access_token|api[_-]?key|key|sig|signature|x-amz-signature|x-amz-credential)=)[^&\s"'#]*/gi;

export const REDACTED = '***';

export function redact(text: string): string {
  return text
    .replace(USERINFO, (_match, scheme: string, userinfo: string) => {
      const colon = userinfo.indexOf(':');
      return colon === -1 ? `${scheme}${REDACTED}@` : `${scheme}${userinfo.slice(0, colon)}:${REDACTED}@`;
    })
    .replace(SECRET_QUERY, `$1${REDACTED}`);
}

/** Redacts every string inside a JSON-able value (for --json output and cache key pre-images). */
export function redactDeep<T>(value: T): T {
  if (typeof value === 'string') return redact(value) as T;
  if (Array.isArray(value)) return value.map(redactDeep) as T;
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactDeep(v)])) as T;
  }
  return value;
}
