import test from 'ava';
import { CapmediaError } from '../../src/errors/index.js';
import { checkedRelativePath, isNormalRelativePath, safeRelativePath } from '../../src/library/safe-path.js';

const outcome = (check: () => string) => {
  try {
    return check();
  } catch (error) {
    if (!(error instanceof CapmediaError)) throw error;
    return `${error.code}: ${error.message}`;
  }
};

const TABLE = [
  'a',
  'a/b.txt',
  'sources/install.wim',
  '.hidden',
  'a/.b/..c/c..',
  '...',
  'a:b',
  'ab:c',
  'C:',
  'c:/x',
  '1:x',
  '',
  '/',
  '//',
  '/etc/passwd',
  'a/',
  'a//b',
  './a',
  'a/./b',
  '.',
  './.',
  '..',
  '../x',
  'a/../b',
  'a/..',
  'a\\b',
  'a\0b',
  'Größe/✓ 😀.txt',
];

/** Paths over the characters that matter to the rules, every one up to length 4: the fast path must never disagree. */
function* generated(): Generator<string> {
  const alphabet = ['a', '.', '/', '\\', ':', '\0', 'Z', 'é'];
  let layer = [''];
  for (let length = 1; length <= 4; length++) {
    layer = layer.flatMap((prefix) => alphabet.map((c) => prefix + c));
    yield* layer;
  }
}

test('the fast path accepts only paths the full check keeps as they are; every other path gets the full check', (t) => {
  let accepted = 0;
  for (const path of [...TABLE, ...generated()]) {
    const full = outcome(() => checkedRelativePath(path, 'package X'));
    if (isNormalRelativePath(path)) {
      accepted++;
      t.is(full, path, JSON.stringify(path));
    }
    t.is(
      outcome(() => safeRelativePath(path, 'package X')),
      full,
      JSON.stringify(path),
    );
  }
  t.true(accepted > 100, 'the table reaches the fast path');
});

test('unsafe paths are refused with the reason; odd safe ones are normalized', (t) => {
  t.regex(
    outcome(() => safeRelativePath('a/../../b', 'package X')),
    /^UNSAFE_PATH: .*climbs out of the package/,
  );
  t.regex(
    outcome(() => safeRelativePath('C:/x', 'package X')),
    /it is absolute/,
  );
  t.is(safeRelativePath('./a//b/.', 'package X'), 'a/b');
  t.is(safeRelativePath('a/b', 'package X'), 'a/b');
});
