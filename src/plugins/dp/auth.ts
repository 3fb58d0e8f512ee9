import { readPasswordFile } from '../../fs/password-file.js';
import { CapmediaError } from '../../errors/index.js';
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

/**
 * Secrets come from the environment or a file, never from the config: the
 * config lives in git, and whatever is printed may end up in a CI log.
 */
export function resolveCredentials(dpName: string, auth: AuthConfig | undefined, env: NodeJS.ProcessEnv = process.env): Credentials {
  if (!auth) return { account: 'anonymous', secrets: [] };
  if (auth.tokenEnv) {
    const token = fromEnv(dpName, 'tokenEnv', auth.tokenEnv, env);
    return { header: `Bearer ${token}`, account: auth.username ?? `the bearer token in $${auth.tokenEnv}`, secrets: [token] };
  }
  const username = auth.username ?? '';
  if (username.includes(':')) {
    throw new CapmediaError(
      'CONFIG_INVALID',
      `distributionPoints ${dpName}: auth.username ${JSON.stringify(username)} contains ":", which Basic auth cannot carry.`,
    );
  }
  const password = auth.passwordEnv ? fromEnv(dpName, 'passwordEnv', auth.passwordEnv, env) : fromFile(dpName, auth.passwordFile);
  const encoded = Buffer.from(`${username}:${password}`, 'utf8').toString('base64');
  return { header: `Basic ${encoded}`, account: username, secrets: [password, encoded] };
}

function fromEnv(dpName: string, key: string, name: string, env: NodeJS.ProcessEnv): string {
  const value = env[name];
  if (!value) {
    throw new CapmediaError(
      'AUTH_MISSING',
      `Distribution point ${dpName} takes its secret from the environment variable ${name} (auth.${key}), which is not set.`,
      {
        hint: `Export ${name} before running capmedia (in CI, from the secret store), or change auth.${key}.`,
      },
    );
  }
  return value;
}

function fromFile(dpName: string, path: string | undefined): string {
  if (!path) {
    throw new CapmediaError('CONFIG_INVALID', `Distribution point ${dpName}: Basic auth needs auth.passwordEnv or auth.passwordFile.`);
  }
  return readPasswordFile(path, (problem) =>
    problem.kind === 'empty'
      ? new CapmediaError('AUTH_MISSING', `The password file ${path} of distribution point ${dpName} is empty.`)
      : new CapmediaError(
          'AUTH_MISSING',
          `Distribution point ${dpName} takes its password from ${path} (auth.passwordFile), which cannot be read (${problem.code}).`,
          { hint: 'Create the file (mode 600, one line: the password) or fix auth.passwordFile.' },
        ),
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
