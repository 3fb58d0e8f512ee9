import { readFileSync } from 'node:fs';
import type { CapmediaError } from '../errors/index.js';

export type PasswordFileProblem = { kind: 'unreadable'; code: string } | { kind: 'empty' };

/**
 * A password kept in a file (mode 600, one line). The final newline editors and
 * `echo` add is not part of it. `refuse` words the error for the key that named the file.
 */
export function readPasswordFile(path: string, refuse: (problem: PasswordFileProblem) => CapmediaError): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw refuse({ kind: 'unreadable', code: (error as NodeJS.ErrnoException).code ?? 'error' });
  }
  const password = text.replace(/\r?\n$/, '');
  if (!password) throw refuse({ kind: 'empty' });
  return password;
}
