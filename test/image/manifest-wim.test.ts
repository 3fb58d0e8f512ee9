import test from 'ava';
import { CapmediaError } from '../../src/errors/index.js';
import { parseManifest, wimSets } from '../../src/image/manifest.js';

/** Manifest version 2: WIM parts beside raw parts, checked as data (no tools needed). */

const SHA = 'a'.repeat(64);
const MiB = 1024 * 1024;

function image(index: number, partition: number, offset: number) {
  return {
    index,
    name: `Ref (partition ${partition})`,
    description: '',
    partition,
    device: `/dev/vda${partition}`,
    offset,
    bytes: 8 * MiB,
    filesystem: 'ntfs',
    windows: false,
  };
}

function wim(file: string, images: unknown[], split: { part: number; of: number } | null = null, pipable = false) {
  return { file, kind: 'wim', pipable, compression: 'lzx', split, size: 100, sha256: SHA, images };
}

function manifest(parts: unknown[], formatVersion = 2) {
  return JSON.stringify({
    format: 'capmedia-image',
    formatVersion,
    image: { name: 'Ref' },
    taskSequence: 'Capture Ref',
    createdAt: '2026-12-01T00:00:00Z',
    capture: 'disk',
    source: { device: '/dev/vda', model: '', serial: '', bytes: 32 * MiB, logicalSectorSize: 512, partitionTable: 'gpt' },
    parts,
  });
}

const table = {
  file: 'disk.sfdisk',
  kind: 'partition-table',
  compression: 'none',
  partition: null,
  device: '',
  offset: 0,
  bytes: 100,
  rawBytes: 100,
  filesystem: '',
  method: 'none',
  size: 100,
  sha256: SHA,
};
const esp = {
  file: 'part1.img.zst',
  kind: 'partition',
  compression: 'zstd',
  partition: 1,
  device: '/dev/vda1',
  offset: MiB,
  bytes: 8 * MiB,
  rawBytes: 8 * MiB,
  filesystem: 'vfat',
  method: 'raw',
  size: 10,
  sha256: SHA,
};

const problem = (text: string) => {
  const error = (() => {
    try {
      parseManifest(text, 'manifest.json');
    } catch (caught) {
      return caught;
    }
  })();
  return error instanceof CapmediaError ? `${error.code}: ${error.message}` : '';
};

test('a WIM with two images and a split set group into WIM sets in part order', (t) => {
  const images = [image(1, 2, 9 * MiB), image(2, 3, 17 * MiB)];
  const parsed = parseManifest(
    manifest([table, esp, wim('x2.swm', images, { part: 2, of: 2 }), wim('x.swm', images, { part: 1, of: 2 })]),
    'm',
  );
  const sets = wimSets(parsed);
  t.is(sets.length, 1);
  t.deepEqual(
    sets[0].parts.map((part) => part.file),
    ['x.swm', 'x2.swm'],
  );
  t.is(sets[0].images.length, 2);
  const streams = parseManifest(
    manifest([table, esp, wim('part2.wim', [image(1, 2, 9 * MiB)], null, true), wim('part3.wim', [image(1, 3, 17 * MiB)], null, true)]),
    'm',
  );
  t.deepEqual(
    wimSets(streams).map((set) => [set.parts[0].file, set.pipable]),
    [
      ['part2.wim', true],
      ['part3.wim', true],
    ],
  );
});

test('version 1 manifests (raw parts only) still read; a version 1 manifest with a WIM does not', (t) => {
  t.is(problem(manifest([table, esp], 1)), '');
  t.regex(problem(manifest([table, wim('x.wim', [image(1, 2, 9 * MiB)])], 1)), /IMAGE_INVALID: .*version 1 images hold no WIM parts/);
});

test('a WIM image overlapping a raw part, an incomplete split set, or differing part images are refused', (t) => {
  t.regex(
    problem(manifest([table, esp, wim('x.wim', [image(1, 2, 5 * MiB)])])),
    /x\.wim image 1 overlaps another part|part1\.img\.zst overlaps/,
  );
  const images = [image(1, 2, 9 * MiB)];
  t.regex(
    problem(manifest([table, wim('x.swm', images, { part: 1, of: 3 }), wim('x2.swm', images, { part: 2, of: 3 })])),
    /split WIM lists parts 1, 2 of 3/,
  );
  t.regex(
    problem(manifest([table, wim('x.swm', images, { part: 1, of: 2 }), wim('x2.swm', [image(1, 3, 17 * MiB)], { part: 2, of: 2 })])),
    /parts of the split WIM list different images/,
  );
  t.regex(problem(manifest([table, wim('../x.wim', images)])), /a plain file name inside the image folder/);
});
