import test from 'ava';
import { setTimeout as sleep } from 'node:timers/promises';
import { forEachInLanes, mapPool } from '../../src/cache/pool.js';

test('mapPool keeps the order of its items and at most `limit` in flight', async (t) => {
  let running = 0;
  let most = 0;
  const results = await mapPool([5, 1, 4, 2, 3], 2, async (n) => {
    most = Math.max(most, ++running);
    await sleep(n);
    running--;
    return n * 10;
  });
  t.deepEqual(results, [50, 10, 40, 20, 30]);
  t.is(most, 2);
});

test('lanes run side by side, each within its own limit', async (t) => {
  const running = { large: 0, small: 0 };
  const most = { large: 0, small: 0 };
  const item = (lane: 'large' | 'small') => ({ lane });
  await forEachInLanes(
    [
      { items: Array.from({ length: 4 }, () => item('large')), limit: 1 },
      { items: Array.from({ length: 12 }, () => item('small')), limit: 3 },
    ],
    async ({ lane }) => {
      most[lane] = Math.max(most[lane], ++running[lane]);
      await sleep(2);
      running[lane]--;
    },
  );
  t.deepEqual(most, { large: 1, small: 3 });
});

test('the first failure in one lane stops new work in every lane and is thrown after the rest settled', async (t) => {
  const started: string[] = [];
  let inFlight = 0;
  const error = await t.throwsAsync(
    forEachInLanes(
      [
        { items: ['big-1', 'big-2', 'big-3'], limit: 1 },
        { items: ['bad', 's1', 's2', 's3', 's4'], limit: 1 },
      ],
      async (name) => {
        started.push(name);
        inFlight++;
        await sleep(name === 'bad' ? 1 : 20);
        inFlight--;
        if (name === 'bad') throw new TypeError('bad item');
      },
    ),
  );
  t.is(error?.message, 'bad item');
  t.is(inFlight, 0, 'nothing was still running when the failure was thrown');
  t.deepEqual(started, ['big-1', 'bad']);
});
