import test from 'ava';
import { CapmediaError } from '../../src/errors/index.js';
import { manifestSchema, parseManifest } from '../../src/library/manifest.js';
import { plainFiles } from '../../src/library/plain-files.js';
import { checkedRelativePath } from '../../src/library/safe-path.js';

const SHA = 'a'.repeat(64);
const file = (overrides: Record<string, unknown> = {}) => ({ path: 'a.txt', size: 1, sha256: SHA, ...overrides });

/** File entries the schema accepts and refuses, and some it accepts that the loop leaves to it. */
const ENTRIES: unknown[] = [
  file(),
  file({ size: 0 }),
  file({ path: 'Größe/✓.txt' }),
  { sha256: SHA, size: 7, path: 'keys/out/of/order' },
  file({ size: Number.MAX_SAFE_INTEGER }),
  file({ size: 2 ** 60 }),
  file({ size: -1 }),
  file({ size: -0 }),
  file({ size: 1.5 }),
  file({ size: NaN }),
  file({ size: Infinity }),
  file({ size: '1' }),
  file({ path: '' }),
  file({ path: 1 }),
  file({ sha256: 'A'.repeat(64) }),
  file({ sha256: 'a'.repeat(63) }),
  file({ sha256: `${'a'.repeat(64)}\n` }),
  file({ extra: true }),
  file({ extra: undefined }),
  { path: 'a', size: 1 },
  JSON.parse(`{"path":"a","size":1,"sha256":"${SHA}","__proto__":{}}`),
  Object.assign(Object.create(null), file()),
  Object.create(file()),
  null,
  'a.txt',
  [],
];

test('the file-list loop accepts only lists the schema accepts, and returns exactly what the schema returns', (t) => {
  let accepted = 0;
  for (const entry of ENTRIES) {
    const lists = [[entry], [file(), entry], [entry, file({ path: 'b' })]];
    for (const files of lists) {
      const schema = manifestSchema.shape.files.safeParse(files);
      const fast = plainFiles(files);
      if (fast === undefined) continue;
      accepted++;
      t.true(schema.success, JSON.stringify(files));
      t.deepEqual(fast, schema.data);
      t.is(JSON.stringify(fast), JSON.stringify(schema.data), 'keys in the same order');
    }
  }
  t.true(accepted >= 15);
  t.is(plainFiles('files'), undefined);
  t.is(plainFiles(undefined), undefined);
});

const outcome = (input: unknown) => {
  try {
    return JSON.stringify(parseManifest(input, 'packages/X.json'));
  } catch (error) {
    if (!(error instanceof CapmediaError)) throw error;
    return `${error.code}: ${error.message}`;
  }
};

test('a whole manifest reads as the schema reads it, its paths normalized; the schema explains what it refuses', (t) => {
  const boot = { platform: 'linux', arch: 'x64', z: 1 };
  const manifests: unknown[] = [
    { id: 'X', kind: 'content', files: [file(), file({ path: 'b/./c' })] },
    { files: [file()], kind: 'content', name: 'n', version: '2', id: 'X', extra: 'dropped' },
    { id: 'X', kind: 'bootimage', bootImage: boot, files: [file()] },
    { id: 'X', kind: 'bootimage', files: [file()] },
    { id: 'X', kind: 'content', files: [file(), file({ path: 'A.TXT' })] },
    { id: 'X', kind: 'content', files: [file({ path: '../x' })] },
    { id: 'X', kind: 'content', files: [file({ size: -1 })] },
    { id: '-X', kind: 'content', files: [file()] },
    { id: 'X', kind: 'other', files: [file({ extra: 1 })] },
    { id: 'X', kind: 'content' },
    null,
  ];
  for (const input of manifests) {
    const read = outcome(structuredClone(input));
    const schema = manifestSchema.safeParse(structuredClone(input));
    if (!schema.success) {
      t.regex(read, /^PACKAGE_INVALID: .* is not valid:\n {2}\S/s, JSON.stringify(input));
      continue;
    }
    if (read.startsWith('{')) {
      const files = schema.data.files.map((f) => ({ ...f, path: checkedRelativePath(f.path, 'test') }));
      t.is(read, JSON.stringify({ ...schema.data, files }), JSON.stringify(input));
    } else t.notRegex(read, /is not valid:/, JSON.stringify(input));
  }
  t.regex(outcome(manifests[0]), /"b\/c"/);
  t.regex(outcome(manifests[1]), /^\{"id":"X","version":"2","name":"n","kind":"content","files"/);
  t.regex(outcome(manifests[3]), /^PACKAGE_/);
  t.regex(outcome(manifests[4]), /^PACKAGE_.*A\.TXT/);
  t.regex(outcome(manifests[5]), /^UNSAFE_PATH/);
  t.regex(outcome(manifests[8]), /^PACKAGE_INVALID: .* is not valid:.*kind/s);
});
