import { execa } from 'execa';

export interface Measurement {
  seconds: number;
  /** Peak resident set size in MiB (GNU time's "Maximum resident set size"). */
  peakRssMiB: number;
  /** CPU seconds, user + system (GNU time's own figures for the command and what it waited for). */
  cpuSeconds: number;
}

/** Runs a command under /usr/bin/time -v: wall time from us, peak RSS from it. */
export async function measure(
  file: string,
  args: string[],
  options: { cwd?: string; env?: Record<string, string>; sync?: boolean } = {},
): Promise<Measurement> {
  // Dirty pages of the previous run are written back first, so they do not slow this one.
  if (options.sync !== false) await execa('sync', [], { reject: false });
  const started = process.hrtime.bigint();
  const result = await execa('/usr/bin/time', ['-v', file, ...args], { cwd: options.cwd, env: options.env, reject: false, all: true });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.exitCode !== 0) throw new Error(`${file} ${args.join(' ')} failed:\n${String(result.all).slice(-3000)}`);
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(String(result.stderr));
  const cpu = ['User', 'System'].map((kind) =>
    Number(new RegExp(`${kind} time \\(seconds\\): ([\\d.]+)`).exec(String(result.stderr))?.[1]),
  );
  return { seconds, peakRssMiB: rss ? Number(rss[1]) / 1024 : NaN, cpuSeconds: cpu[0] + cpu[1] };
}

/**
 * How long memory freed by dropping the caches takes to go back to the host of a VM with free page reporting
 * (virtio-balloon; 2 s in Linux, then the report): a run that starts writing sooner gets memory that is still backed,
 * one that starts later pays for each page on first touch (0.3–3 s per GB on our CI machine). Bare cp starts at once and
 * capmedia ~0.2 s later, so without the wait the cold rows measured the race, not the tools.
 */
const FREED_MEMORY_SETTLES_MS = Number(process.env.BENCH_SETTLE_MS ?? 5000);

export async function dropCaches(): Promise<void> {
  // Best effort: equal footing for the cold runs when we may (root); harmless otherwise.
  await execa('sh', ['-c', 'sync; echo 3 > /proc/sys/vm/drop_caches'], { reject: false });
  await new Promise((resolve) => setTimeout(resolve, FREED_MEMORY_SETTLES_MS));
}
