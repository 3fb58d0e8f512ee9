import { defineErrors } from './entry.js';

/** The task sequence's credentials (tasksequence/). */
export const taskSequenceErrors = defineErrors({
  credentialsEnvUnset: {
    code: 'CREDENTIALS_MISSING',
    title: 'The password variable is not set',
    message: (a: { passwordEnv: string }) =>
      `the environment variable ${a.passwordEnv} (taskSequence.credentials.passwordEnv) is not set, so there is no password to embed`,
    hint: (a: { passwordEnv: string }) =>
      `Set ${a.passwordEnv} for the build, or remove embed: true to have the password asked on the console at capture time.`,
  },
  credentialsFileEmpty: {
    code: 'CREDENTIALS_MISSING',
    title: 'The password file is empty',
    message: (a: { path: string }) => `the password file ${a.path} (taskSequence.credentials.passwordFile) is empty`,
  },
  credentialsFileUnreadable: {
    code: 'CREDENTIALS_MISSING',
    title: 'The password file cannot be read',
    message: (a: { path: string; code: string }) =>
      `the password file ${a.path} (taskSequence.credentials.passwordFile) cannot be read (${a.code})`,
  },
  credentialsNoSource: {
    code: 'CREDENTIALS_MISSING',
    title: 'No password source',
    message: () => 'embed: true needs passwordEnv or passwordFile (taskSequence.credentials) to take the password from',
  },
});
