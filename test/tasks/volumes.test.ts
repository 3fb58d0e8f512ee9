import test from 'ava';
import { CapmediaError } from '../../src/errors/index.js';
import type { LayoutEntry } from '../../src/tasks/layout.js';
import { assignVolumes, fileCost, isSpreadable, setManifest, volumeFileName, volumeLabel } from '../../src/tasks/volumes.js';

const file = (target: string, size: number): LayoutEntry => ({ target, size, sha256: 'a'.repeat(64), packageId: 'P' });
const MiB = 2 ** 20;

test('content packages spread over volumes; boot files and the task sequence stay on volume 1', (t) => {
  t.true(isSpreadable(file('SMS/PKG/CM1/data.bin', 1)));
  t.false(isSpreadable(file('boot/vmlinuz', 1)));
  t.false(isSpreadable(file('SMS/data/TaskSequence.json', 1)));
});

test('first fit in path order: the same files give the same plan, whatever order they come in', (t) => {
  const essential = [file('boot/vmlinuz', 2 * MiB)];
  const spread = ['c', 'a', 'd', 'b'].map((name) => file(`SMS/PKG/CM1/${name}.bin`, 3 * MiB));
  const budgets = { first: 4 * MiB, other: 7 * MiB };
  const plan = assignVolumes('Set', essential, spread, budgets);
  t.deepEqual(
    plan.map((v) => [v.number, v.label, v.files.map((f) => f.target)]),
    [
      [1, 'Set', ['boot/vmlinuz', 'SMS/PKG/CM1/a.bin']],
      [2, 'Set_2', ['SMS/PKG/CM1/b.bin', 'SMS/PKG/CM1/c.bin']],
      [3, 'Set_3', ['SMS/PKG/CM1/d.bin']],
    ],
  );
  t.deepEqual(assignVolumes('Set', essential, [...spread].reverse(), budgets), plan);
  for (const volume of plan.slice(1)) t.true(volume.files.reduce((sum, f) => sum + fileCost(f), 0) <= budgets.other);
});

test('a file larger than a whole volume is refused; a .wim hints at splitLargeFiles', (t) => {
  const wim = t.throws(() => assignVolumes('S', [], [file('SMS/PKG/CM1/install.wim', 8 * MiB)], { first: 1 * MiB, other: 4 * MiB }), {
    instanceOf: CapmediaError,
  });
  t.is(wim.code, 'MEDIA_TOO_SMALL');
  t.regex(wim.message, /install\.wim is 8/);
  t.regex(wim.hint!, /media\.splitLargeFiles: true/);
  const other = t.throws(() => assignVolumes('S', [], [file('SMS/PKG/CM1/big.bin', 8 * MiB)], { first: 1 * MiB, other: 4 * MiB }), {
    instanceOf: CapmediaError,
  });
  t.regex(other.hint!, /smallest preset that holds it/);
});

test('volume names and labels carry the sequence number; labels stay within 32 ISO characters', (t) => {
  t.is(volumeFileName('/out/capture.iso', 2), '/out/capture-2.iso');
  t.is(volumeFileName('/out/capture', 3), '/out/capture-3');
  t.is(volumeLabel('Configuration Manager', 1), 'Configuration Manager');
  t.is(volumeLabel('Configuration Manager', 2), 'Configuration Manager_2');
  const long = volumeLabel('A'.repeat(32), 12);
  t.is(long.length, 32);
  t.true(long.endsWith('_12'));
});

test('the set manifest lists every volume with its ISO label and files', (t) => {
  const plan = assignVolumes('Set ÅÄÖ', [file('boot/vmlinuz', 10)], [file('SMS/PKG/CM1/a.bin', 10)], { first: MiB, other: MiB });
  const doc = JSON.parse(setManifest('Set ÅÄÖ', plan));
  t.is(doc.volumeCount, 1);
  t.is(doc.volumes[0].label, 'Set AAO', 'the ISO volume id, mapped');
  t.deepEqual(
    doc.volumes[0].files.map((f: { path: string }) => f.path),
    ['boot/vmlinuz', 'SMS/PKG/CM1/a.bin'],
  );
});
