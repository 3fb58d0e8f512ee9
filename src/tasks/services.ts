import { join } from 'node:path';
import { ContentStore } from '../cache/store.js';
import { ActionCache } from '../cache/actions.js';
import { StatCache } from '../cache/stat-cache.js';
import { toolIdentities } from '../cache/tools.js';
import { openRemoteCache, Uploads, type RemoteCache } from '../cache/remote/index.js';
import { emptyStats, type CacheStats } from '../cache/remote/stats.js';
import type { NormalizedConfig } from '../config/normalize.js';
import type { DistributionPoint } from '../plugins/dp/types.js';
import type { Exec } from '../tools/exec.js';

/**
 * What the steps reach the world through, made once per build: tools,
 * clock, caches, distribution points, the user. Steps take it as an
 * argument, so a test hands them fakes.
 */
export interface BuildServices {
  readonly exec: Exec;
  /** Environment for the tools: SOURCE_DATE_EPOCH pinned so every tool stamps the same time. */
  readonly toolEnv: Readonly<Record<string, string>>;
  readonly sourceDateEpoch: number;
  /** Wall-clock time, for what records when it happened (not what goes onto the media). */
  readonly now: () => Date;
  readonly store: ContentStore;
  readonly actions: ActionCache;
  readonly statCache: StatCache;
  readonly dps: DistributionPoint[];
  /** The fleet's shared cache (cache.remote), when configured. */
  readonly remote: RemoteCache | undefined;
  readonly uploads: Uploads;
  readonly cacheStats: CacheStats;
  /** Confirmation before destructive writes: --yes, else the interactive prompt, else no. */
  readonly confirm: (question: string) => Promise<boolean>;
  /** Things the user should read after the build: label mappings, driver warnings. */
  readonly notices: string[];
  readonly signal: AbortSignal | undefined;
  /** Tool versions (part of the pack key), probed on first use and then remembered. */
  readonly toolIds: () => Promise<Record<string, string>>;
}

export interface ServiceOptions {
  exec: Exec;
  env?: NodeJS.ProcessEnv;
  sourceDateEpoch: number;
  signal?: AbortSignal;
  /** --yes: answer confirmations with yes. */
  assumeYes?: boolean;
  /** Interactive confirmation (TTY); absent → only --yes can confirm. */
  ask?: (question: string) => Promise<boolean>;
  now?: () => Date;
}

export function createServices(config: NormalizedConfig, options: ServiceOptions): BuildServices {
  const notices: string[] = [];
  let toolIds: Promise<Record<string, string>> | undefined;
  const epoch = options.sourceDateEpoch;
  return {
    exec: options.exec,
    toolEnv: { SOURCE_DATE_EPOCH: String(epoch), TZ: 'UTC', LC_ALL: 'C' },
    sourceDateEpoch: epoch,
    now: options.now ?? (() => new Date()),
    store: new ContentStore(join(config.cacheDir, 'cas')),
    actions: new ActionCache(config.cacheDir),
    statCache: new StatCache(config.cacheDir),
    dps: config.distributionPoints.map((dp) => config.registry.openDistributionPoint(dp)),
    remote: openRemoteCache(config, options.env ?? process.env, notices, options.signal),
    uploads: new Uploads(),
    cacheStats: emptyStats(),
    confirm: async (question) => Boolean(options.assumeYes) || (options.ask ? options.ask(question) : false),
    notices,
    signal: options.signal,
    toolIds: () => (toolIds ??= toolIdentities(options.exec, config.cacheDir)),
  };
}
