import { fail } from '../errors/index.js';

/** The k-th (1-based) of n shares. */
export interface Shard {
  index: number;
  count: number;
}

/** "2/3" → { index: 2, count: 3 }; anything else is a usage error. */
export function parseShard(text: string): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || count < 1 || index < 1 || index > count) {
    throw fail('shardInvalid', { text: JSON.stringify(text) });
  }
  return { index, count };
}

/**
 * Media names sorted and dealt round-robin: every runner computes the same
 * shares from the same config, the shares are disjoint, their union is all
 * media, and no share holds more than one media more than another.
 */
export function shardOf<M extends { name: string }>(media: readonly M[], shard: Shard): M[] {
  const sorted = media.map((m) => m.name).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const mine = new Set(sorted.filter((_, i) => i % shard.count === shard.index - 1));
  return media.filter((m) => mine.has(m.name));
}
