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

export async function dropCaches(): Promise<void> {
  // Best effort: equal footing for the cold runs when we may (root); harmless otherwise.
  await execa('sh', ['-c', 'sync; echo 3 > /proc/sys/vm/drop_caches'], { reject: false });
}
