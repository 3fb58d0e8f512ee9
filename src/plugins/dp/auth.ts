import { readPasswordFile } from '../../fs/password-file.js';
import { fail } from '../../errors/index.js';
import type { DistributionPointConfig } from '../../config/schema.js';

type AuthConfig = NonNullable<DistributionPointConfig['auth']>;

/** How a distribution point is accessed; the secret itself lives only in `header`. */
export interface Credentials {
  /** The Authorization header value, undefined for anonymous access. Never shown. */
  header?: string;
  /** Who asks, for messages (R4 names the account): a user name, the token's variable, or "anonymous". */
  account: string;
  /** Every form the secret takes, so text from elsewhere can be scrubbed before it is shown. */
  secrets: string[];
}

/** Whose secret it is, as messages name it: the subject of the sentence and where its auth block sits in the config. */
export interface SecretOwner {
  owner: string;
  authKey: string;
}

const distributionPoint = (name: string): SecretOwner => ({ owner: `Distribution point ${name}`, authKey: 'auth' });

/**
 * Secrets come from the environment or a file, never from the config: the
 * config lives in git, and whatever is printed may end up in a CI log.
 */
export function resolveCredentials(
  dpName: string,
  auth: AuthConfig | undefined,
  env: NodeJS.ProcessEnv = process.env,
  owner: SecretOwner = distributionPoint(dpName),
): Credentials {
  if (!auth) return { account: 'anonymous', secrets: [] };
  if (auth.tokenEnv) {
    const token = fromEnv(owner, 'tokenEnv', auth.tokenEnv, env);
    return { header: `Bearer ${token}`, account: auth.username ?? `the bearer token in $${auth.tokenEnv}`, secrets: [token] };
  }
  const username = auth.username ?? '';
  if (username.includes(':')) {
    throw fail('dpUsernameHasColon', { ...owner, username: JSON.stringify(username) });
  }
  const password = auth.passwordEnv ? fromEnv(owner, 'passwordEnv', auth.passwordEnv, env) : fromFile(owner, auth.passwordFile);
  const encoded = Buffer.from(`${username}:${password}`, 'utf8').toString('base64');
  return { header: `Basic ${encoded}`, account: username, secrets: [password, encoded] };
}

function fromEnv(owner: SecretOwner, key: string, name: string, env: NodeJS.ProcessEnv): string {
  const value = env[name];
  if (!value) {
    throw fail('dpSecretEnvUnset', { ...owner, name, key });
  }
  return value;
}

function fromFile(owner: SecretOwner, path: string | undefined): string {
  if (!path) {
    throw fail('dpBasicAuthNoPassword', owner);
  }
  return readPasswordFile(path, (problem) =>
    problem.kind === 'empty'
      ? fail('dpPasswordFileEmpty', { ...owner, path })
      : fail('dpPasswordFileUnreadable', { ...owner, path, code: problem.code }),
  );
}

/** Replaces every secret in text: for messages built from other libraries' error text. */
export function redact(text: string, secrets: readonly string[]): string {
  return secrets.filter((s) => s.length >= 3).reduce((out, secret) => out.split(secret).join('***'), text);
}

/** A URL as it may be shown: without user name or password. */
export function displayUrl(url: URL): string {
  const copy = new URL(url.href);
  copy.username = '';
  copy.password = '';
  return copy.href;
}
