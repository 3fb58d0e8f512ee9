import test from 'ava';
import { setTimeout as sleep } from 'node:timers/promises';
import { forEachInLanes, mapPool, taskSlots } from '../../src/cache/pool.js';

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

test('taskSlots runs at most `limit` tasks at once, the waiting ones in the order they came, failures included', async (t) => {
  const slots = taskSlots(2);
  let running = 0;
  let most = 0;
  const started: number[] = [];
  const task = (n: number) =>
    slots(async () => {
      started.push(n);
      most = Math.max(most, ++running);
      await sleep(n === 1 ? 15 : 3);
      running--;
      if (n === 2) throw new RangeError('task 2 fails');
      return n;
    });
  const settled = await Promise.allSettled([1, 2, 3, 4, 5].map(task));
  t.is(most, 2);
  t.deepEqual(started, [1, 2, 3, 4, 5]);
  t.deepEqual(
    settled.map((s) => (s.status === 'fulfilled' ? s.value : (s.reason as Error).message)),
    [1, 'task 2 fails', 3, 4, 5],
  );
  // Every slot was given back, the failed task's too: two run at once again.
  running = most = 0;
  await Promise.all([6, 7, 8].map(task));
  t.is(most, 2);
});
