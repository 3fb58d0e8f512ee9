import test from 'ava';
import { cacheKey, stableJson } from '../../src/cache/key.js';

/** The writer before it was made a loop (map/join per value): every key must stay the bytes it was, or every cache misses. */
function previousStableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(previousStableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${previousStableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

const preimage = {
  step: 'stage',
  version: 1,
  files: [
    ['boot/bcd', 'a'.repeat(64), 12],
    ['SMS/PKG/CM1/Größe ✓.txt', 'b'.repeat(64), 0],
  ],
  taskSequence: { b: [1, 2.5, -0, null, true], a: 'x"\\\n\u0001', z: undefined, nested: { '10': 1, '2': 2, é: 3, E: 4 } },
  packages: { CM1: '1 (0123456789ab)' },
  none: undefined,
};

test('a pre-image hashes to the key earlier capmedia computed for it', (t) => {
  t.is(cacheKey(preimage), 'dfe89c953743ccb1b11958b2d1a8ba62ce9b6f9ca0b313e53c7b2852f20ee005');
});

test('stableJson writes what the map/join writer wrote, for every kind of value', (t) => {
  // eslint-disable-next-line no-sparse-arrays
  const holes = [1, , 3];
  const values: unknown[] = [
    preimage,
    undefined,
    null,
    0,
    NaN,
    Infinity,
    'ą"\u2028',
    true,
    [],
    {},
    [undefined, null, [undefined]],
    holes,
    { a: undefined },
    { b: 1, a: { d: [{}, { y: 2, x: 1 }], c: undefined } },
    new Date(0),
    () => 1,
    { ['__proto__']: 1, constructor: 2, '': 3 },
    [['a', 1, true, null, NaN, -0, Infinity, 'x\u2028"'], [], [[]]],
    [['a', undefined]],
    [[1, holes]],
    [[1, { b: 1, a: 2 }]],
    [new Date(0), 'd'],
    [() => 1],
    Object.assign(['a'], { toJSON: () => 'replaced' }),
    [Object.assign(['a'], { toJSON: () => 'replaced' })],
    Array.from({ length: 3000 }, (_, i) => [`SMS/PKG/CM1/file-${i}.txt`, 'c'.repeat(64), i]),
  ];
  for (const value of values) t.is(stableJson(value), previousStableJson(value), String(previousStableJson(value)));
});
