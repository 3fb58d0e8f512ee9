import test from 'ava';
import { DEFAULT_SOURCE_DATE_EPOCH, parseSourceDateEpoch, sourceDateEpochOf } from '../src/epoch.js';
import { toolEnvironment } from '../src/tools/exec.js';

test('SOURCE_DATE_EPOCH: whole seconds are taken; empty or not a number counts as unset', (t) => {
  t.is(parseSourceDateEpoch('1764000000'), 1764000000);
  t.is(parseSourceDateEpoch('0'), 0);
  for (const raw of [undefined, '', ' 1', '-5', '1.5', 'now']) t.is(parseSourceDateEpoch(raw), undefined, String(raw));
  t.is(sourceDateEpochOf({ SOURCE_DATE_EPOCH: '1700000000' }), 1700000000);
  t.is(sourceDateEpochOf({ SOURCE_DATE_EPOCH: '' }), DEFAULT_SOURCE_DATE_EPOCH);
  t.is(sourceDateEpochOf({}), DEFAULT_SOURCE_DATE_EPOCH);
});

test('tools get SOURCE_DATE_EPOCH only when it parses (xorriso refuses an empty one)', (t) => {
  t.is(toolEnvironment({}, { SOURCE_DATE_EPOCH: '1700000000' }).SOURCE_DATE_EPOCH, '1700000000');
  t.false('SOURCE_DATE_EPOCH' in toolEnvironment({}, { SOURCE_DATE_EPOCH: '' }));
  t.false('SOURCE_DATE_EPOCH' in toolEnvironment({ SOURCE_DATE_EPOCH: 'x' }, {}));
});
