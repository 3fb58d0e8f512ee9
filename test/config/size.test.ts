import test from 'ava';
import { formatBytes, parseMediaSize, smallestPresetFor, SIZE_PRESETS } from '../../src/config/size.js';

test('presets carry the exact recordable capacities', (t) => {
  t.is(SIZE_PRESETS.cd, 681_984_000);
  t.is(SIZE_PRESETS.cd700, 737_280_000);
  t.is(SIZE_PRESETS.dvd, 4_700_372_992);
  t.is(SIZE_PRESETS['dvd-dl'], 8_543_666_176);
  t.is(SIZE_PRESETS.bd, 25_025_314_816);
});

test('sizes: presets, cmdlet spellings, byte counts and units', (t) => {
  t.is(parseMediaSize('dvd'), SIZE_PRESETS.dvd);
  t.is(parseMediaSize('Size650MB'), SIZE_PRESETS.cd);
  t.is(parseMediaSize('SizeUnlimited'), Number.POSITIVE_INFINITY);
  t.is(parseMediaSize('700MB'), 700_000_000);
  t.is(parseMediaSize('4GiB'), 4 * 2 ** 30);
  t.is(parseMediaSize(123456), 123456);
  t.is(parseMediaSize('floppy'), undefined);
  t.is(parseMediaSize(-1), undefined);
  t.is(parseMediaSize('0MB'), undefined);
});

test('the smallest preset that fits', (t) => {
  t.is(smallestPresetFor(100), 'cd');
  t.is(smallestPresetFor(700_000_000), 'cd700');
  t.is(smallestPresetFor(5e9), 'dvd-dl');
});

test('byte counts are shown with en-US thousands separators, as toLocaleString prints them', (t) => {
  t.is(formatBytes(512), '512 B');
  t.is(formatBytes(1024), '1.00 KiB (1,024 B)');
  t.is(formatBytes(1_139_519_488), '1.06 GiB (1,139,519,488 B)');
  t.is(formatBytes(Number.POSITIVE_INFINITY), 'unlimited');
  for (const bytes of [1024, 1025, 999_999, 1_000_000, 123_456_789, 4_700_372_992, 2 ** 53 - 1])
    t.true(formatBytes(bytes).endsWith(`(${bytes.toLocaleString('en-US')} B)`), String(bytes));
});
