import test from 'ava';
import { FAT_NAMES, JOLIET_NAMES, fatProblem, jolietProblem, type NameRules } from '../../src/plugins/media/name-rules.js';
import { jolietVolumeId } from '../../src/plugins/media/labels.js';
import { quoted } from '../../src/printable.js';
import { nameProblems, type NameProblem } from '../../src/tasks/names.js';

test('Swedish, German and French names, and long ones, are held by Joliet and FAT', (t) => {
  for (const name of ['Åsa Öberg', 'Größe', 'Crème brûlée', 'é.txt', 'Łódź raport.docx', 'x'.repeat(103)]) {
    t.is(JOLIET_NAMES.problem(name), undefined, name);
    t.is(FAT_NAMES.problem(name), undefined, name);
  }
});

test('characters Windows refuses, control characters and device names are refused on both', (t) => {
  for (const name of ['a:b', 'a*b', 'what?', 'say "hi"', '<x>', 'a|b', 'a\\b', 'tab\there', 'CON', 'nul.txt', 'LPT1.log']) {
    t.truthy(JOLIET_NAMES.problem(name), name);
    t.truthy(FAT_NAMES.problem(name), name);
  }
  t.regex(FAT_NAMES.problem('a:b')!, /has the character ":"/);
  t.regex(FAT_NAMES.problem('tab\there')!, /control character U\+0009/);
});

test('Joliet holds 103 characters of UCS-2 and no ";"; FAT 255, no trailing dot or space', (t) => {
  t.regex(JOLIET_NAMES.problem('x'.repeat(104))!, /104 characters long; Joliet holds 103/);
  t.is(FAT_NAMES.problem('x'.repeat(255)), undefined);
  t.regex(FAT_NAMES.problem('x'.repeat(256))!, /holds 255/);
  t.regex(JOLIET_NAMES.problem('a;1')!, /";"/);
  t.regex(FAT_NAMES.problem('slut.')!, /ends with a dot or a space/);
  t.regex(FAT_NAMES.problem('slut ')!, /ends with a dot or a space/);
  t.is(JOLIET_NAMES.problem('slut.'), undefined, 'Joliet keeps a trailing dot');
  t.regex(JOLIET_NAMES.problem('smile 😀.txt')!, /UCS-2 cannot hold/);
  t.regex(FAT_NAMES.problem('smile 😀.txt')!, /UCS-2 cannot hold/);
});

test('an 8.3-shaped FAT name with a character code page 850 lacks is refused (it would get no long name)', (t) => {
  t.regex(FAT_NAMES.problem('łódź.txt')!, /code page 850 lacks/);
  t.regex(FAT_NAMES.problem('ÿ.txt')!, /"ÿ"/, 'its upper case (Ÿ) is not in code page 850');
  t.is(FAT_NAMES.problem('Łódź.txt'), undefined, 'mixed case: it gets a long name');
  t.is(FAT_NAMES.problem('łódź raport.txt'), undefined, 'a space: it gets a long name');
  t.is(FAT_NAMES.problem('øre.txt'), undefined, 'ø is in code page 850');
  t.is(JOLIET_NAMES.problem('łódź.txt'), undefined);
});

test('nameProblems names each package and file once, and names only case tells apart', (t) => {
  const files = [
    { target: 'SMS/PKG/CM1/Rapport/Q1: x.txt', packageId: 'CM1' },
    { target: 'SMS/PKG/CM1/Rapport/ok.txt', packageId: 'CM1' },
    { target: 'SMS/PKG/CM1/rapport/README.txt', packageId: 'CM1' },
    { target: 'boot/bcd', packageId: 'CM4' },
  ];
  t.deepEqual(nameProblems(files, FAT_NAMES), [
    { packageId: 'CM1', path: 'Rapport/Q1: x.txt', problem: '"Q1: x.txt" has the character ":"' },
    { packageId: 'CM1', path: 'rapport', problem: 'differs from "SMS/PKG/CM1/Rapport" only by case (or Unicode normalization)' },
  ]);
});

test('the Joliet volume id is the first 16 characters with Unicode intact; a set volume keeps its number', (t) => {
  t.deepEqual(jolietVolumeId('Média Site 7 Lång'), { value: 'Média Site 7 Lån', changes: ['cut to the first 16 characters'] });
  t.deepEqual(jolietVolumeId('Göteborg'), { value: 'Göteborg', changes: [] });
  t.is(jolietVolumeId('Site 😀').value, 'Site _');
  t.is(jolietVolumeId('Configuration Manager_2', { keepSuffix: true }).value, 'Configuration _2');
});

/** Components over the characters the rules single out, every one up to length 3, plus edge cases of each rule. */
function* components(): Generator<string> {
  const alphabet = ['a', 'Z', '.', ' ', ';', ':', '\t', '\u007f', 'é', 'ł', 'ÿ', '\u0085', '😀', '\ud800'];
  let layer = [''];
  yield '';
  for (let length = 1; length <= 3; length++) {
    layer = layer.flatMap((prefix) => alphabet.map((c) => prefix + c));
    yield* layer;
  }
  for (const device of ['con', 'CON', 'Con.txt', 'prn.a.b', 'aux', 'nul', 'com1', 'COM9.log', 'lpt3', 'com0', 'conx', 'xcon', 'lpt'])
    yield device;
  for (const length of [103, 104, 255, 256]) for (const c of ['x', 'é']) yield c.repeat(length);
  yield 'README.TXT';
  yield 'Łódź.txt';
  yield 'øre.txt';
  yield 'a+b.txt';
}

test('the fast name checks accept only what the full rules accept, and say the same about every name', (t) => {
  let accepted = 0;
  for (const name of components()) {
    t.is(JOLIET_NAMES.problem(name), jolietProblem(name), JSON.stringify(name));
    t.is(FAT_NAMES.problem(name), fatProblem(name), JSON.stringify(name));
    if (jolietProblem(name) === undefined) accepted++;
  }
  t.true(accepted > 500, 'many names reach the fast path');
});

/** nameProblems as it was (every prefix of every file rebuilt and looked up): the single pass must report the same. */
function previousNameProblems(files: ReadonlyArray<{ target: string; packageId: string }>, rules: NameRules): NameProblem[] {
  const problems: NameProblem[] = [];
  const seen = new Set<string>();
  const folded = new Map<string, string>();
  const packagePath = (target: string, id: string) =>
    target.startsWith(`SMS/PKG/${id}/`) ? target.slice(`SMS/PKG/${id}/`.length) : target;
  for (const file of files) {
    const parts = file.target.split('/');
    for (let i = 0; i < parts.length; i++) {
      const path = parts.slice(0, i + 1).join('/');
      if (seen.has(path)) continue;
      seen.add(path);
      const problem = rules.problem(parts[i]);
      const shown = packagePath(path, file.packageId);
      if (problem) problems.push({ packageId: file.packageId, path: shown, problem: `${quoted(parts[i])} ${problem}` });
      const key = path.normalize('NFC').toUpperCase();
      const other = folded.get(key);
      if (other !== undefined && other !== path) {
        problems.push({
          packageId: file.packageId,
          path: shown,
          problem: `differs from ${quoted(other)} only by case (or Unicode normalization)`,
        });
      } else folded.set(key, path);
    }
  }
  return problems;
}

test('nameProblems reports what looking at every prefix of every file reports, in the same order', (t) => {
  const targets = [
    'boot/bcd',
    'BOOT/BCD',
    'SMS/PKG/CM1/a/b/c.txt',
    'SMS/PKG/CM1/a/b/d.txt',
    'SMS/PKG/CM1/A/b/e.txt',
    'SMS/PKG/CM1/a/B/f.txt',
    'SMS/PKG/CM1/a/b/c.txt',
    'SMS/PKG/CM2/Größe/x',
    'SMS/PKG/CM2/Gro\u0308ße/y',
    'SMS/PKG/CM2/q:1/ok',
    'SMS/PKG/CM2/q:1/CON',
    'SMS/PKG/CM2/ok/what?',
    'SMS/PKG/CM2/Ok',
    'SMS/PKG/CM2/trailing./x',
    'SMS/PKG/CM2/ł.txt',
    'SMS/PKG/CM2/ǅ/ǆ',
    'SMS/PKG/CM2/ǆ',
    'a//b',
    'a/',
    '',
    'x'.repeat(110),
  ];
  const files = targets.map((target) => ({ target, packageId: /^SMS\/PKG\/([^/]+)/.exec(target)?.[1] ?? '' }));
  for (const rules of [JOLIET_NAMES, FAT_NAMES]) {
    const expected = previousNameProblems(files, rules);
    t.true(expected.length > 8, 'the table has problems of every kind');
    t.deepEqual(nameProblems(files, rules), expected);
    t.deepEqual(nameProblems([...files].reverse(), rules), previousNameProblems([...files].reverse(), rules));
  }
});
