import test from 'ava';
import { execa } from 'execa';
import { validateConfig } from '../../src/config/load.js';
import {
  EMBEDDED_PASSWORD,
  imageFolderBase,
  taskSequenceDocument,
  taskSequenceVars,
  taskSequenceWarnings,
} from '../../src/tasksequence/build.js';
import { baseConfig } from '../_helpers/config.js';

function config(taskSequence: Record<string, unknown>) {
  return validateConfig(
    { ...baseConfig(), taskSequence: { image: { name: 'Reference' }, destination: 'disk:CAPTURE', ...taskSequence } },
    '/tmp',
  );
}

/** Sources the vars file with busybox sh, as /init and the agent do, and prints the named variables. */
async function sourceVars(text: string, names: string[]): Promise<Record<string, string>> {
  const print = names.map((name) => `printf '%s\\0' "$${name}"`).join('\n');
  const { stdout } = await execa('busybox', ['sh', '-c', 'eval "$(cat)"'], { input: `${text}\n${print}\n`, stripFinalNewline: false });
  const values = stdout.split('\0');
  return Object.fromEntries(names.map((name, i) => [name, values[i]]));
}

test('a config without steps captures one disk: source auto, whole disk', (t) => {
  const doc = taskSequenceDocument(config({}));
  t.deepEqual(doc.steps, [
    {
      type: 'capture-disk',
      source: 'auto',
      partitions: 'all',
      compressionLevel: 3,
      format: 'auto',
      compression: 'lzx',
      exclude: { exclusionList: [], exclusionException: [] },
    },
  ]);
  t.is(doc.version, 2);
  t.is(doc.name, 'Capture Reference');
  t.is(doc.onFailure, 'poweroff');
  t.deepEqual(doc.credentials, { mode: 'none', username: undefined, fingerprint: undefined });
});

test('steps keep their selector, partitions and level; sizes become bytes', (t) => {
  const doc = taskSequenceDocument(
    config({
      steps: [
        { type: 'capture-disk', source: { serial: 'S3Z*', minSize: '200GB', maxSize: 1e12 }, partitions: [1, 3], compressionLevel: 1 },
      ],
      onFailure: 'shell',
    }),
  );
  t.like(doc.steps[0], {
    type: 'capture-disk',
    source: { serial: 'S3Z*', minSize: 200e9, maxSize: 1e12 },
    partitions: [1, 3],
    compressionLevel: 1,
  });
  t.is(doc.onFailure, 'shell');
});

test('WIM options reach the agent: format, compression, WimScript.ini patterns and the split size in MiB', async (t) => {
  const doc = taskSequenceDocument(
    config({
      steps: [
        {
          type: 'capture-disk',
          format: 'wim',
          compression: 'xpress',
          exclude: ['\\Users\\*\\AppData\\Local\\Temp', '*.tmp'],
          split: '3800MB',
        },
        { type: 'capture-disk', exclude: { exclusionList: ['\\Temp'], exclusionException: ['\\Temp\\keep me.txt'] } },
      ],
    }),
  );
  t.like(doc.steps[0], { format: 'wim', compression: 'xpress', split: 3800e6 });
  const vars = await sourceVars(taskSequenceVars(doc), [
    'CAPMEDIA_TS_STEP_1_FORMAT',
    'CAPMEDIA_TS_STEP_1_WIM_COMPRESSION',
    'CAPMEDIA_TS_STEP_1_EXCLUDE',
    'CAPMEDIA_TS_STEP_1_SPLIT_MIB',
    'CAPMEDIA_TS_STEP_2_FORMAT',
    'CAPMEDIA_TS_STEP_2_EXCLUDE',
    'CAPMEDIA_TS_STEP_2_EXCLUDE_EXCEPTIONS',
    'CAPMEDIA_TS_STEP_2_SPLIT_MIB',
  ]);
  t.deepEqual(vars, {
    CAPMEDIA_TS_STEP_1_FORMAT: 'wim',
    CAPMEDIA_TS_STEP_1_WIM_COMPRESSION: 'xpress',
    CAPMEDIA_TS_STEP_1_EXCLUDE: '\\Users\\*\\AppData\\Local\\Temp|*.tmp',
    CAPMEDIA_TS_STEP_1_SPLIT_MIB: '3623',
    CAPMEDIA_TS_STEP_2_FORMAT: 'auto',
    CAPMEDIA_TS_STEP_2_EXCLUDE: '\\Temp',
    CAPMEDIA_TS_STEP_2_EXCLUDE_EXCEPTIONS: '\\Temp\\keep me.txt',
    CAPMEDIA_TS_STEP_2_SPLIT_MIB: '',
  });
});

test('the vars file is shell the agent can source, whatever the names hold', async (t) => {
  const name = `Ref "it's" $(reboot) \`x\` \\ ÅÄÖ`;
  const doc = taskSequenceDocument(
    config({
      name,
      image: { name, version: '1.0', description: 'line one\nline two' },
      destination: 'https://dp.example.org/img/site%20a/',
    }),
  );
  const vars = taskSequenceVars(doc);
  const values = await sourceVars(vars, [
    'CAPMEDIA_TS_NAME',
    'CAPMEDIA_TS_IMAGE_DESCRIPTION',
    'CAPMEDIA_TS_IMAGE_JSON',
    'CAPMEDIA_TS_DEST_KIND',
    'CAPMEDIA_TS_DEST_URL',
    'CAPMEDIA_TS_DEST_URL_PATH',
    'CAPMEDIA_TS_IMAGE_DIR',
    'CAPMEDIA_TS_STEPS',
    'CAPMEDIA_TS_STEP_1_SOURCE',
  ]);
  t.is(values.CAPMEDIA_TS_NAME, name);
  t.is(values.CAPMEDIA_TS_IMAGE_DESCRIPTION, 'line one line two');
  t.deepEqual(JSON.parse(values.CAPMEDIA_TS_IMAGE_JSON), { name, version: '1.0', description: 'line one\nline two' });
  t.is(values.CAPMEDIA_TS_DEST_KIND, 'http');
  t.is(values.CAPMEDIA_TS_DEST_URL, 'https://dp.example.org/img/site%20a');
  t.is(values.CAPMEDIA_TS_DEST_URL_PATH, 'img/site%20a');
  t.regex(values.CAPMEDIA_TS_IMAGE_DIR, /^[A-Za-z0-9._-]+-1\.0$/);
  t.is(values.CAPMEDIA_TS_STEPS, '1');
  t.is(values.CAPMEDIA_TS_STEP_1_SOURCE, 'auto');
});

test('an embedded password reaches TaskSequence.vars only: not the JSON, not the cache key', (t) => {
  process.env.CAPMEDIA_TEST_TS_PASSWORD = "Qx'9 secret";
  t.teardown(() => delete process.env.CAPMEDIA_TEST_TS_PASSWORD);
  const embedded = config({
    destination: 'smb://nas/captures',
    credentials: { username: 'svc', passwordEnv: 'CAPMEDIA_TEST_TS_PASSWORD', embed: true },
  });
  const doc = taskSequenceDocument(embedded);
  t.is(doc[EMBEDDED_PASSWORD], "Qx'9 secret");
  t.false(JSON.stringify(doc).includes('Qx'));
  t.true(taskSequenceVars(doc).includes(`CAPMEDIA_TS_CRED_PASSWORD='Qx'\\''9 secret'`));
  t.regex(doc.credentials.fingerprint ?? '', /^[0-9a-f]{16}$/);
  process.env.CAPMEDIA_TEST_TS_PASSWORD = 'another';
  t.not(taskSequenceDocument(embedded).credentials.fingerprint, doc.credentials.fingerprint, 'a new password must rebuild the media');
  t.regex(taskSequenceWarnings(embedded).join('\n'), /password of svc is written in clear/);
});

test('prompted credentials carry the user name and no password', (t) => {
  const doc = taskSequenceDocument(config({ destination: 'smb://nas/captures', credentials: { username: 'svc' } }));
  const vars = taskSequenceVars(doc);
  t.regex(vars, /^CAPMEDIA_TS_CRED_MODE='prompt'$/m);
  t.regex(vars, /^CAPMEDIA_TS_CRED_USERNAME='svc'$/m);
  t.notRegex(vars, /CRED_PASSWORD/);
  t.deepEqual(taskSequenceWarnings(config({ destination: 'smb://nas/captures', credentials: { username: 'svc' } })), []);
});

test('image folder names are safe in every file system and URL', (t) => {
  t.is(imageFolderBase({ name: 'Windows 11 Pro', version: '23H2' }), 'Windows_11_Pro-23H2');
  t.is(imageFolderBase({ name: 'Référence/PC' }), 'Reference_PC');
  t.is(imageFolderBase({ name: '...' }), 'image');
});
