import test from 'ava';
import { validateConfig } from '../../src/config/load.js';
import { configJsonSchema } from '../../src/config/schema.js';
import { CapmediaError } from '../../src/errors/index.js';
import { baseConfig } from '../_helpers/config.js';

/** The config error for this taskSequence, as the user reads it. */
function problems(taskSequence: Record<string, unknown>): string {
  try {
    validateConfig(
      { ...baseConfig(), taskSequence: { image: { name: 'Reference' }, destination: 'disk:CAPTURE', ...taskSequence } },
      '/tmp',
    );
  } catch (error) {
    if (error instanceof CapmediaError && error.code === 'CONFIG_INVALID') return error.message;
    throw error;
  }
  return '';
}

test('the keys from before steps existed still validate', (t) => {
  t.is(
    problems({
      name: 'Capture',
      image: { name: 'Ref', version: '1', description: 'd', createdBy: 'me' },
      destination: 'disk:CAPTURE',
      after: 'reboot',
    }),
    '',
  );
});

const CASES: Array<[string, Record<string, unknown>, RegExp]> = [
  [
    'a misspelt auto',
    { steps: [{ type: 'capture-disk', source: 'atuo' }] },
    /taskSequence\.steps\[0\]\.source: "atuo" is not allowed: expected "auto" \(/,
  ],
  [
    'a source that is neither word nor selector',
    { steps: [{ type: 'capture-disk', source: 3 }] },
    /steps\[0\]\.source: 3 is not allowed: expected "auto" .* or a disk selector/,
  ],
  [
    'an unknown selector key',
    { steps: [{ type: 'capture-disk', source: { serail: 'X' } }] },
    /steps\[0\]\.source\.serail: unknown key \(value "X"\); allowed keys here: path, model, serial, minSize, maxSize/,
  ],
  [
    'a bad size',
    { steps: [{ type: 'capture-disk', source: { minSize: 'huge' } }] },
    /source\.minSize: "huge" is not allowed: expected a byte count or a size/,
  ],
  [
    'an empty selector',
    { steps: [{ type: 'capture-disk', source: {} }] },
    /steps\[0\]\.source: \{\} is not allowed: an empty selector matches every disk/,
  ],
  [
    'minSize above maxSize',
    { steps: [{ type: 'capture-disk', source: { minSize: '2TB', maxSize: '1TB' } }] },
    /source\.minSize: "2TB" is not allowed: it is larger than maxSize "1TB"/,
  ],
  [
    'a device path that is not one',
    { steps: [{ type: 'capture-disk', source: { path: 'sda' } }] },
    /source\.path: "sda" is not allowed: expected a whole-disk device path/,
  ],
  [
    'a partition listed twice',
    { steps: [{ type: 'capture-disk', partitions: [2, 2] }] },
    /steps\[0\]\.partitions: \[2,2\] is not allowed: partition 2 is listed twice/,
  ],
  ['partition 0', { steps: [{ type: 'capture-disk', partitions: [0] }] }, /steps\[0\]\.partitions\[0\]: 0 is not allowed/],
  [
    'an unknown step type',
    { steps: [{ type: 'apply-image' }] },
    /steps\[0\]\.type: "apply-image" is not allowed: expected one of "capture-disk"/,
  ],
  ['no steps', { steps: [] }, /taskSequence\.steps: \[\] is not allowed: needs at least 1 entry/],
  ['an unknown after', { after: 'halt' }, /taskSequence\.after: "halt" is not allowed: expected one of "poweroff", "reboot", "shell"/],
  ['credentials in the URL', { destination: 'https://svc:pw@dp/x' }, /taskSequence\.destination: .* credentials in it/],
  [
    'credentials for a disk',
    { credentials: { username: 'svc' } },
    /taskSequence\.credentials: credentials are not allowed for a disk: destination/,
  ],
  [
    'a password key',
    { destination: 'smb://fs/share', credentials: { username: 'svc', password: 'x' } },
    /credentials\.password: unknown key .*allowed keys here: username, passwordEnv, passwordFile, embed/,
  ],
  [
    'embed without a user',
    { destination: 'smb://fs/share', credentials: { embed: true, passwordEnv: 'HOME' } },
    /credentials\.username: nothing is not allowed: embed: true captures unattended/,
  ],
  [
    'embed from a missing file',
    { destination: 'smb://fs/share', credentials: { username: 'svc', embed: true, passwordFile: 'no-such-file' } },
    /embed: true, but the password file \/tmp\/no-such-file .* cannot be read/,
  ],
  [
    'both password sources',
    { destination: 'smb://fs/share', credentials: { username: 'svc', embed: true, passwordEnv: 'HOME', passwordFile: 'x' } },
    /choose either passwordEnv or passwordFile/,
  ],
  [
    'an unknown format',
    { steps: [{ type: 'capture-disk', format: 'vhdx' }] },
    /steps\[0\]\.format: "vhdx" is not allowed: expected one of "auto", "wim", "raw"/,
  ],
  [
    'an unknown WIM compression',
    { steps: [{ type: 'capture-disk', compression: 'lzms' }] },
    /steps\[0\]\.compression: "lzms" is not allowed: expected one of "lzx", "xpress", "none"/,
  ],
  [
    'a pattern that is a section header',
    { steps: [{ type: 'capture-disk', exclude: ['[ExclusionList]'] }] },
    /steps\[0\]\.exclude.*WimScript\.ini pattern/,
  ],
  ['an unknown exclude section', { steps: [{ type: 'capture-disk', exclude: { exclusions: ['x'] } }] }, /steps\[0\]\.exclude/],
  [
    'split at 4 GiB',
    { steps: [{ type: 'capture-disk', split: '4GiB' }] },
    /steps\[0\]\.split: "4GiB" is not allowed: parts must be from 1MiB to below 4GiB/,
  ],
  [
    'split with format raw',
    { steps: [{ type: 'capture-disk', format: 'raw', split: '3800MB' }] },
    /steps\[0\]\.split: "3800MB" is not allowed with format: 'raw'/,
  ],
  [
    'split for an http destination',
    { destination: 'https://dp/img/', steps: [{ type: 'capture-disk', split: '3800MB' }] },
    /steps\[0\]\.split: "3800MB" is not allowed for an http\(s\) destination.*image convert --split/,
  ],
];

test('WIM step options validate: format, compression, both exclude forms, split', (t) => {
  t.is(
    problems({
      steps: [
        { type: 'capture-disk', format: 'wim', compression: 'none', exclude: ['\\Temp', '*.tmp'], split: '3800MB' },
        { type: 'capture-disk', exclude: { exclusionList: ['\\Temp'], exclusionException: ['\\Temp\\keep'] } },
      ],
    }),
    '',
  );
});

for (const [what, taskSequence, expected] of CASES) {
  test(`config error names the key, the value and what is allowed: ${what}`, (t) => {
    t.regex(problems(taskSequence), expected);
  });
}

test('the editor JSON schema includes the task sequence steps', (t) => {
  const schema = JSON.stringify(configJsonSchema());
  t.true(schema.includes('capture-disk'));
  t.true(schema.includes('compressionLevel'));
});
