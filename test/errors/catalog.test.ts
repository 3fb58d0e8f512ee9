import test from 'ava';
import { catalog } from '../../src/errors/catalog.js';
import { CODES, CapmediaError, exitCodeFor, fail, ioError } from '../../src/errors/index.js';

test('every catalog entry reports a known code and has a title', (t) => {
  for (const [name, entry] of Object.entries(catalog)) {
    t.true(entry.code in CODES, `${name}: unknown code ${entry.code}`);
    t.true(entry.title.length > 0, `${name}: no title`);
  }
});

test('fail builds the message and hint from the entry', (t) => {
  const error = fail('noSpace', { operation: 'write', path: '/out/a.iso' });
  t.true(error instanceof CapmediaError);
  t.is(error.code, 'NO_SPACE');
  t.is(error.message, 'No space left on the device while trying to write /out/a.iso.');
  t.regex(error.hint ?? '', /Free some space/);
});

test('exit codes and retryability come from the code table', (t) => {
  t.is(exitCodeFor(fail('unexpected', { reason: 'x' })), 1);
  t.is(exitCodeFor(new CapmediaError('CONFIG_INVALID', 'bad')), 2);
  t.is(exitCodeFor(new CapmediaError('CANCELLED', 'stop')), 130);
  t.is(exitCodeFor(new Error('foreign')), 1);
  t.true(new CapmediaError('DOWNLOAD_INTERRUPTED', 'cut').retryable);
  t.false(new CapmediaError('HASH_MISMATCH', 'bad').retryable);
});

test('ioError names the operation and path for errno failures', (t) => {
  const cause = Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
  const error = ioError('write', '/x', cause);
  t.is(error.code, 'IO');
  t.is(error.message, 'Permission denied: cannot write /x.');
  t.is(error.cause, cause);
});
