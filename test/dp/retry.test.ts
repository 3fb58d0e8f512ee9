import test from 'ava';
import { CapmediaError, fail, failWithCodeOf } from '../../src/errors/index.js';
import { TransientError, isTransient, withRetries } from '../../src/plugins/dp/retry.js';

const pinFacts = { id: 'CM1', version: '1', manifestSha256: 'ab', lockName: 'site-a.lock', failures: ['  dp: down'] };

test('whether to try again comes from the code table, and the phase from a TransientError', (t) => {
  t.true(isTransient(new CapmediaError('DOWNLOAD_INTERRUPTED', 'cut')));
  t.false(isTransient(new CapmediaError('HASH_MISMATCH', 'bad')));
  t.false(isTransient(new CapmediaError('CANCELLED', 'stop')));
  t.false(isTransient(new TypeError('bug')));
  const refused = new TransientError('DP_UNREACHABLE', 'refused', 'connect');
  t.true(isTransient(refused));
  t.false(isTransient(refused, ['response']), 'verify does not wait for a server that never answered');
  t.true(isTransient(new TransientError('DP_UNREACHABLE', '503', 'response'), ['response']));
  // A summary keeps its causes' code, and with it the decision.
  t.true(isTransient(failWithCodeOf(refused, 'pinnedVersionUnreadable', pinFacts), ['connect']));
  t.false(
    isTransient(failWithCodeOf(fail('dpNoReadPermission', { user: 'u', name: 'dp', path: '/p' }), 'pinnedVersionUnreadable', pinFacts)),
  );
});

test('withRetries tries a retryable failure again and gives up on any other at once', async (t) => {
  const policy = { attempts: 3, baseDelayMs: 1, maxDelayMs: 1 };
  let calls = 0;
  const result = await withRetries(async () => {
    calls++;
    if (calls < 3) throw new CapmediaError('DOWNLOAD_INTERRUPTED', 'cut');
    return 'done';
  }, policy);
  t.is(result, 'done');
  t.is(calls, 3);
  calls = 0;
  await t.throwsAsync(
    withRetries(async () => {
      calls++;
      throw new CapmediaError('HASH_MISMATCH', 'bad');
    }, policy),
    { code: 'HASH_MISMATCH' },
  );
  t.is(calls, 1);
});

test('a summary of failures names the actual lock file and keeps the first cause', (t) => {
  const cause = fail('dpNoReadPermission', { user: 'u', name: 'dp', path: '/p' });
  const error = failWithCodeOf(cause, 'pinnedVersionUnreadable', pinFacts);
  t.is(error.code, 'NO_READ_PERMISSION');
  t.is(error.cause, cause);
  t.regex(error.message, /pinned by site-a\.lock, could not be read from any distribution point:\n {2}dp: down/);
  t.regex(error.hint ?? '', /capmedia update CM1/);
});
