import { readPasswordFile } from '../fs/password-file.js';
import { CapmediaError, fail } from '../errors/index.js';
import { resolvePath, type NormalizedConfig } from '../config/normalize.js';
import { MEDIA_PATHS } from '../media-paths.js';

/**
 * Destination credentials as the media will carry them. By default only the
 * user name (if given) goes onto the media and the agent asks for the
 * password on the console; the password itself is read here only when the
 * config opts in with `embed: true`.
 */

export type CredentialMode = 'none' | 'prompt' | 'embedded';

export interface MediaCredentials {
  mode: CredentialMode;
  username?: string;
  /** Present only for mode "embedded". Never logged, never in TaskSequence.json. */
  password?: string;
}

export function credentialMode(config: NormalizedConfig): CredentialMode {
  const credentials = config.taskSequence.credentials;
  if (!credentials) return 'none';
  return credentials.embed ? 'embedded' : 'prompt';
}

/** Where an embedded password comes from, or why it cannot be read (for config rules). */
export function embeddedPasswordProblem(config: NormalizedConfig, env: NodeJS.ProcessEnv = process.env): string | undefined {
  try {
    readEmbeddedPassword(config, env);
    return undefined;
  } catch (error) {
    return error instanceof CapmediaError ? error.message : String(error);
  }
}

export function mediaCredentials(config: NormalizedConfig, env: NodeJS.ProcessEnv = process.env): MediaCredentials {
  const mode = credentialMode(config);
  const username = config.taskSequence.credentials?.username;
  if (mode !== 'embedded') return { mode, username };
  return { mode, username, password: readEmbeddedPassword(config, env) };
}

function readEmbeddedPassword(config: NormalizedConfig, env: NodeJS.ProcessEnv): string {
  const credentials = config.taskSequence.credentials;
  if (credentials?.passwordEnv) {
    const value = env[credentials.passwordEnv];
    if (value) return value;
    throw fail('credentialsEnvUnset', { passwordEnv: credentials.passwordEnv });
  }
  if (credentials?.passwordFile) {
    const path = resolvePath(config.baseDir, credentials.passwordFile);
    return readPasswordFile(path, (problem) =>
      problem.kind === 'empty' ? fail('credentialsFileEmpty', { path }) : fail('credentialsFileUnreadable', { path, code: problem.code }),
    );
  }
  throw fail('credentialsNoSource', {});
}

/** Build-time warnings the user must see (the stage step adds them to the build's notices). */
export function credentialWarnings(config: NormalizedConfig): string[] {
  if (credentialMode(config) !== 'embedded') return [];
  const who = config.taskSequence.credentials?.username ?? 'the destination account';
  return [
    `taskSequence.credentials.embed is true: the password of ${who} is written in clear to ${MEDIA_PATHS.taskSequenceVars} on the media; anyone holding the media can read it. Remove embed to have it asked on the console at capture time.`,
  ];
}
