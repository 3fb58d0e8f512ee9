import test from 'ava';
import { FAT_NAMES, JOLIET_NAMES } from '../../src/plugins/media/name-rules.js';
import { jolietVolumeId } from '../../src/plugins/media/labels.js';
import { nameProblems } from '../../src/tasks/names.js';

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
