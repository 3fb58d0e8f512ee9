import test from 'ava';
import { describeMapping, fatVolumeLabel, isoVolumeId } from '../../src/plugins/media/labels.js';

test('the default label is a valid ISO volume id as it is', (t) => {
  const mapped = isoVolumeId('Configuration Manager');
  t.is(mapped.value, 'Configuration Manager');
  t.deepEqual(mapped.changes, []);
  t.is(describeMapping('ISO volume', 'Configuration Manager', mapped), undefined);
});

test('odd characters are mapped and the mapping is described', (t) => {
  const mapped = isoVolumeId('Médiá: "Site/01"');
  t.is(mapped.value, 'Media_ _Site_01_');
  t.regex(describeMapping('ISO volume', 'Médiá: "Site/01"', mapped)!, /accents removed; characters other than/);
});

test('FAT labels keep the first 11 characters, upper case, without forbidden characters', (t) => {
  t.is(fatVolumeLabel('Configuration Manager').value, 'CONFIGURATI');
  t.is(fatVolumeLabel('a.b*c').value, 'A_B_C');
  t.true(fatVolumeLabel('Configuration Manager').changes.includes('cut to the first 11 characters'));
});
