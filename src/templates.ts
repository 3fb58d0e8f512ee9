import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { fail } from './errors/index.js';

/** The templates folder ships beside dist/ and src/ (package.json "files"). */
export const TEMPLATES_DIR = fileURLToPath(new URL('../templates/', import.meta.url));

/** Fills {{name}} placeholders; an unknown placeholder is a bug, so it throws. */
export function fillTemplate(text: string, values: Record<string, string>): string {
  return text.replace(/\{\{(\w+)\}\}/g, (_, key: string) => {
    if (!(key in values)) throw fail('templateValueMissing', { key });
    return values[key];
  });
}

export async function renderTemplate(name: string, values: Record<string, string>): Promise<string> {
  return fillTemplate(await readFile(join(TEMPLATES_DIR, name), 'utf8'), values);
}
