import test from 'ava';
import { CapmediaError } from '../../src/errors/index.js';
import { layoutBytes, placements, treeSignature } from '../../src/tasks/layout.js';
import { manifest, resolvedContent } from './_context.js';

test('boot image files go to the media root, content packages under SMS/PKG/<id>/', (t) => {
  const files = placements(resolvedContent([manifest('CM100007', [['drivers/nic.inf', 'c'.repeat(64)]])]));
  t.deepEqual(
    files.map((f) => [f.target, f.packageId]),
    [
      ['a.bin', 'CM100004'],
      ['SMS/PKG/CM100007/drivers/nic.inf', 'CM100007'],
    ],
  );
  t.is(layoutBytes(files), 2);
});

test('a package path that would leave its folder is refused, naming the package', (t) => {
  const error = t.throws(() => placements(resolvedContent([manifest('CM100008', [['../../etc/passwd', 'd'.repeat(64)]])])), {
    instanceOf: CapmediaError,
  });
  t.is(error.code, 'UNSAFE_PATH');
  t.regex(error.message, /CM100008/);
});

test('the tree signature changes with a file, its bytes, the label and autorun', (t) => {
  const files = placements(resolvedContent());
  const base = treeSignature(files, 'L', false);
  t.is(treeSignature([...files], 'L', false), base);
  t.not(treeSignature(files, 'Other', false), base);
  t.not(treeSignature(files, 'L', true), base);
  t.not(treeSignature([{ ...files[0], sha256: 'e'.repeat(64) }], 'L', false), base);
  t.not(treeSignature([...files, { ...files[0], target: 'b.bin' }], 'L', false), base);
});
