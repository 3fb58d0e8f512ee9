import test from 'ava';
import { exec, toolEnvironment } from '../../src/tools/exec.js';

test('an empty or malformed inherited SOURCE_DATE_EPOCH never reaches a tool; a valid one does', (t) => {
  t.false('SOURCE_DATE_EPOCH' in toolEnvironment({}, { SOURCE_DATE_EPOCH: '' }));
  t.false('SOURCE_DATE_EPOCH' in toolEnvironment({}, { SOURCE_DATE_EPOCH: 'yesterday' }));
  t.is(toolEnvironment({}, { SOURCE_DATE_EPOCH: '1764000000' }).SOURCE_DATE_EPOCH, '1764000000');
  t.is(toolEnvironment({ SOURCE_DATE_EPOCH: '0' }, { SOURCE_DATE_EPOCH: '' }).SOURCE_DATE_EPOCH, '0');
});

test('a variable the caller sets to undefined is removed from the child environment', (t) => {
  const env = toolEnvironment({ HOME: undefined, EXTRA: 'x' }, { HOME: '/root', PATH: '/usr/bin' });
  t.deepEqual(env, { PATH: '/usr/bin', EXTRA: 'x' });
});

test('xorriso runs when the inherited SOURCE_DATE_EPOCH is empty', async (t) => {
  const saved = process.env.SOURCE_DATE_EPOCH;
  process.env.SOURCE_DATE_EPOCH = '';
  try {
    const { stderr } = await exec('xorriso', ['-no_rc', '-version']);
    t.notRegex(stderr, /Malformed environment variable SOURCE_DATE_EPOCH/);
  } finally {
    if (saved === undefined) delete process.env.SOURCE_DATE_EPOCH;
    else process.env.SOURCE_DATE_EPOCH = saved;
  }
});
