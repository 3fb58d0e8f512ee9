import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { catalog } from '../../src/errors/catalog.js';
import { formatError } from '../../src/commands/output.js';
import type { ErrorEntry } from '../../src/errors/entry.js';
import { CODES, CapmediaError, exitCodeFor, fail, ioError, type ErrorName } from '../../src/errors/index.js';

test('every catalog entry reports a known code and has a title', (t) => {
  for (const [name, entry] of Object.entries(catalog)) {
    const code = codeOf(entry);
    t.true(code in CODES, `${name}: unknown code ${code}`);
    t.true(entry.title.length > 0, `${name}: no title`);
  }
});

test('fail builds the message and hint from the entry', (t) => {
  const error = fail('noSpace', { operation: 'write', path: '/out/a.iso' });
  t.true(error instanceof CapmediaError);
  t.is(error.code, 'NO_SPACE');
  t.is(error.message, 'No space left on the device while trying to write /out/a.iso.');
  t.regex(error.hint ?? '', /Free some space/);
});

test('exit codes and retryability come from the code table', (t) => {
  t.is(exitCodeFor(fail('unexpected', { reason: 'x' })), 1);
  t.is(exitCodeFor(new CapmediaError('CONFIG_INVALID', 'bad')), 2);
  t.is(exitCodeFor(new CapmediaError('CANCELLED', 'stop')), 130);
  t.is(exitCodeFor(new Error('foreign')), 1);
  t.true(new CapmediaError('DOWNLOAD_INTERRUPTED', 'cut').retryable);
  t.false(new CapmediaError('HASH_MISMATCH', 'bad').retryable);
});

test('ioError names the operation and path for errno failures', (t) => {
  const cause = Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
  const error = ioError('write', '/x', cause);
  t.is(error.code, 'IO');
  t.is(error.message, 'Permission denied: cannot write /x.');
  t.is(error.cause, cause);
});

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

const INLINE_ERROR = /new CapmediaError\(|throw new Error\(/;

async function sourceFiles(): Promise<Map<string, string>> {
  const names = (await readdir(SRC, { recursive: true })).filter((name) => name.endsWith('.ts')).sort();
  return new Map(await Promise.all(names.map(async (name) => [name, await readFile(join(SRC, name), 'utf8')] as const)));
}

test('outside src/errors/ no file builds an error inline: every error comes from the catalog', async (t) => {
  const sources = await sourceFiles();
  const inline = [...sources].filter(([name, text]) => !name.startsWith('errors/') && INLINE_ERROR.test(text)).map(([name]) => name);
  t.deepEqual(inline, [], 'use fail(entryName, args) with an entry in src/errors/<area>.ts');
});

test('every public code is reported by an entry or used by name in src/', async (t) => {
  const sources = await sourceFiles();
  const reported = new Set<string>(Object.values(catalog).map(codeOf));
  const named = [...sources].filter(([name]) => name !== 'errors/entry.ts').map(([, text]) => text);
  const unused = Object.keys(CODES).filter((code) => !reported.has(code) && !named.some((text) => text.includes(`'${code}'`)));
  t.deepEqual(unused, [], 'a code nobody reports: remove it from CODES, or report it');
});

/**
 * Stands in for any argument: prints as <its name>, and behaves as a list of
 * one such placeholder (length, join, map) for the messages that take lists.
 */
function placeholder(name: string): unknown {
  const items = (): unknown[] => [placeholder(`${name}[0]`)];
  const text = () => `<${name}>`;
  return new Proxy(
    {},
    {
      get: (_target, key) => {
        if (key === Symbol.toPrimitive || key === 'toString' || key === 'toJSON') return text;
        if (key === Symbol.iterator) return () => items()[Symbol.iterator]();
        if (typeof key === 'symbol') return undefined;
        if (key === 'length') return 1;
        if (/^\d+$/.test(key)) return placeholder(`${name}[${key}]`);
        const method: unknown = Reflect.get(Array.prototype, key);
        return typeof method === 'function' ? method.bind(items()) : placeholder(`${name}.${key}`);
      },
    },
  );
}

test('every entry renders its message and hint from placeholder arguments', (t) => {
  for (const [name, entry] of Object.entries(catalog) as Array<[ErrorName, ErrorEntry<unknown>]>) {
    const args = placeholder('args') as Record<string, unknown>;
    const message = entry.message(args);
    t.true(typeof message === 'string' && message.length > 0, `${name}: empty message`);
    t.notRegex(message, /undefined|\[object /, `${name}: ${message}`);
    const hint = typeof entry.hint === 'function' ? entry.hint(args) : entry.hint;
    if (hint !== undefined) t.notRegex(String(hint), /undefined|\[object /, `${name}: ${hint}`);
    if (typeof entry.code === 'string') t.is(fail(name, args as never).code, entry.code);
  }
});

test('a bug (INTERNAL) shows its stack with --verbose only; an input error never shows one', (t) => {
  const bug = fail('templateValueMissing', { key: 'label' });
  t.is(bug.code, 'INTERNAL');
  const verbose = formatError(bug, { json: false, verbose: true });
  t.regex(verbose, /template placeholder \{\{label\}\} has no value/);
  t.regex(verbose, /\n\s+at /, 'the stack');
  const quiet = formatError(bug, { json: false, verbose: false });
  t.notRegex(quiet, /\n\s+at /);
  t.regex(quiet, /run with --verbose/);
  t.notRegex(formatError(fail('shardInvalid', { text: '"0/2"' }), { json: false, verbose: true }), /\n\s+at /);
});

/** An entry's code; one the facts decide is taken for a case that has none to offer (its fallback). */
function codeOf(entry: ErrorEntry<any>): string {
  return typeof entry.code === 'function' ? entry.code({ codes: [] }) : entry.code;
}
