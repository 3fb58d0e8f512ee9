import test from 'ava';
import { produce, produced } from '../../src/tasks/produced.js';

test('a produced value reaches every step that awaits it, and is readable once settled', async (t) => {
  const value = produced<number>();
  t.is(value.settled(), undefined, 'nothing before the step ran');
  const waiting = value.value;
  t.is(await produce(value, async () => 42), 42);
  t.is(await waiting, 42);
  t.is(value.settled(), 42);
});

test('a failed step rejects its value; no one waiting is no unhandled rejection, and there is nothing to read', async (t) => {
  const value = produced<number>();
  await t.throwsAsync(
    produce(value, async () => {
      throw new Error('step failed');
    }),
    { message: 'step failed' },
  );
  await t.throwsAsync(value.value, { message: 'step failed' });
  t.is(value.settled(), undefined);
});
