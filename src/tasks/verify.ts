import type { ListrTask, ListrTaskWrapper } from 'listr2';
import { fail, type CapmediaError } from '../errors/index.js';
import type { NormalizedConfig } from '../config/normalize.js';
import type { PackageManifest } from '../library/manifest.js';
import type { DistributionPoint, PackageCheck } from '../plugins/dp/types.js';
import type { Resolved, Sources } from './results.js';
import { preferredOrder } from './packages.js';
import { checkPinnedPackage } from '../lock/pinned.js';

type Wrapper = ListrTaskWrapper<unknown, any, any>;

/**
 * Step 2 as listr2 tasks (R3, R4): every distribution point checked in
 * parallel, one line each, then the sources chosen and handed to `chosen`.
 */
export function verifyDistributionTasks(
  config: NormalizedConfig,
  dps: readonly DistributionPoint[],
  resolved: Resolved,
  chosen: (sources: Sources) => void,
): ListrTask<unknown>[] {
  const packages = [resolved.bootImage, ...resolved.content];
  const reports: DpReport[] = [];
  const checkOne = (dp: DistributionPoint): ListrTask<unknown> => ({
    title: dp.name,
    task: async (_, leaf: Wrapper) => {
      const report = await checkDistributionPoint(dp, packages, pinsOf(resolved));
      reports.push(report);
      leaf.title = describeReport(report, packages.length);
    },
  });
  return [
    {
      title: 'check every distribution point',
      task: (_, sub: Wrapper) => sub.newListr(dps.map(checkOne), { concurrent: true, exitOnError: false }),
    },
    {
      title: 'choose a distribution point',
      task: (_, sub: Wrapper) => {
        const sources = chooseSources(config, dps, resolved, reports);
        sub.title = `using ${sources.get(resolved.bootImage.id)?.[0]?.name} for the boot image`;
        chosen(sources);
      },
    },
  ];
}

function describeReport(report: DpReport, packages: number): string {
  const bad = [...report.checks].filter(([, c]) => c.status !== 'ok');
  return bad.length
    ? `${report.dp.name}: ${bad.map(([id, c]) => `${id} ${describeCheck(c)}`).join(' | ')}`
    : `${report.dp.name}: ${packages} package(s) complete`;
}

/** The pinned packages of a resolution, as verify distribution checks them. */
export function pinsOf(resolved: Resolved): Map<string, { version: string; sha256: string }> {
  return new Map(
    [...resolved.pinned].map((id) => [
      id,
      { version: resolved.lock.packages[id].version, sha256: resolved.lock.packages[id].manifestSha256 },
    ]),
  );
}

export interface DpReport {
  dp: DistributionPoint;
  checks: Map<string, PackageCheck>;
}

/**
 * R3 + R4 for one distribution point: every package present, complete and
 * readable. Never throws: whatever goes wrong is that DP's report, so one bad
 * DP cannot hide what the others offer.
 */
export async function checkDistributionPoint(
  dp: DistributionPoint,
  packages: readonly PackageManifest[],
  pins: ReadonlyMap<string, { version: string; sha256: string }> = new Map(),
): Promise<DpReport> {
  const entries = await Promise.all(
    packages.map(async (pkg) => {
      const pin = pins.get(pkg.id);
      // A pinned version is checked as pinned: what this DP calls "latest" may have moved on.
      const check: PackageCheck = await (pin ? checkPinnedPackage(dp, pkg.id, pin) : dp.checkPackage(pkg.id)).catch((error: unknown) => ({
        status: 'unreachable' as const,
        reason: error instanceof Error ? error.message : String(error),
      }));
      return [pkg.id, check] as const;
    }),
  );
  return { dp, checks: new Map(entries) };
}

export function describeCheck(check: PackageCheck): string {
  switch (check.status) {
    case 'ok':
      return 'ok';
    case 'incomplete':
      return `incomplete: ${check.problems.slice(0, 5).join('; ')}${check.problems.length > 5 ? `; and ${check.problems.length - 5} more` : ''}`;
    case 'no-permission':
      // Reasons from the schemes already read "no Read permission for <account> on <dp>…".
      return /^no Read permission/i.test(check.reason)
        ? `no Read permission${check.reason.slice('no Read permission'.length)}`
        : `no Read permission: ${check.reason}`;
    case 'missing':
      return `missing: ${check.reason}`;
    case 'unreachable':
      return `unreachable: ${check.reason}`;
    case 'invalid':
      return `invalid manifest: ${check.reason}`;
  }
}

/**
 * For each package, the healthy distribution points in order of preference.
 * A DP serving a different version of a package than the one resolved does
 * not count: media must be built from one consistent set.
 */
export function chooseSources(
  config: NormalizedConfig,
  dps: readonly DistributionPoint[],
  resolved: Resolved,
  reports: readonly DpReport[],
): Map<string, DistributionPoint[]> {
  const packages = [resolved.bootImage, ...resolved.content];
  const order = preferredOrder(config, dps);
  const sources = new Map<string, DistributionPoint[]>();
  const lacking: string[] = [];
  for (const pkg of packages) {
    const healthy = order.filter((dp) => {
      const check = reports.find((r) => r.dp === dp)?.checks.get(pkg.id);
      return check?.status === 'ok' && sameFiles(check.manifest, pkg);
    });
    if (healthy.length === 0) lacking.push(pkg.id);
    sources.set(pkg.id, healthy);
  }
  if (lacking.length) throw noHealthyDp(lacking, reports);
  return sources;
}

function sameFiles(a: PackageManifest, b: PackageManifest): boolean {
  return a.files.length === b.files.length && a.files.every((f, i) => f.path === b.files[i].path && f.sha256 === b.files[i].sha256);
}

function noHealthyDp(lacking: string[], reports: readonly DpReport[]): CapmediaError {
  const lines = reports.map((report) => {
    const problems = [...report.checks].filter(([, check]) => check.status !== 'ok').map(([id, check]) => `${id} ${describeCheck(check)}`);
    return `  ${report.dp.name} (${report.dp.displayUrl}): ${problems.length ? problems.join(' | ') : 'ok'}`;
  });
  return fail('noHealthyDp', { lacking, lines });
}
