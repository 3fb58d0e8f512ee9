import test from 'ava';
import { CapmediaError } from '../../src/errors/index.js';
import type { DistributionPoint, PackageCheck } from '../../src/plugins/dp/types.js';
import { chooseSources, type DpReport } from '../../src/tasks/verify.js';
import { contextFor, manifest, resolvedContent } from './_context.js';

const TWO_DPS = {
  distributionPoints: [
    { name: 'first', url: 'file:./first' },
    { name: 'preferred', url: 'file:./preferred' },
  ],
};

function report(dp: DistributionPoint, checks: Record<string, PackageCheck>): DpReport {
  return { dp, checks: new Map(Object.entries(checks)) };
}

test('every package gets its healthy distribution points, bootImage.distributionPoint first (R14)', (t) => {
  const { config, services } = contextFor({ ...TWO_DPS, bootImage: { package: 'CM100004', distributionPoint: 'preferred' } });
  const resolved = resolvedContent();
  const [first, preferred] = services.dps;
  const ok: PackageCheck = { status: 'ok', manifest: resolved.bootImage };
  const sources = chooseSources(config, services.dps, resolved, [report(first, { CM100004: ok }), report(preferred, { CM100004: ok })]);
  t.deepEqual(
    sources.get('CM100004')!.map((dp) => dp.name),
    ['preferred', 'first'],
  );
});

test('a DP whose manifest lists other files (a stale copy) is not a source; a missing package is not either', (t) => {
  const { config, services } = contextFor(TWO_DPS);
  const resolved = resolvedContent();
  const [first, second] = services.dps;
  const stale: PackageCheck = { status: 'ok', manifest: { ...manifest('CM100004', [['a.bin', 'b'.repeat(64)]]), kind: 'bootimage' } };
  const sources = chooseSources(config, services.dps, resolved, [
    report(first, { CM100004: stale }),
    report(second, { CM100004: { status: 'ok', manifest: resolved.bootImage } }),
  ]);
  t.deepEqual(
    sources.get('CM100004')!.map((dp) => dp.name),
    ['preferred'],
  );
});

test('no healthy DP for a package: NO_HEALTHY_DP naming it and what each DP reported', (t) => {
  const { config, services } = contextFor(TWO_DPS);
  const [first, second] = services.dps;
  const error = t.throws(
    () =>
      chooseSources(config, services.dps, resolvedContent(), [
        report(first, { CM100004: { status: 'missing', reason: 'not there' } }),
        report(second, { CM100004: { status: 'no-permission', reason: '403' } }),
      ]),
    { instanceOf: CapmediaError },
  );
  t.is(error.code, 'NO_HEALTHY_DP');
  t.regex(error.message, /can serve CM100004 completely/);
  t.regex(error.message, /first \(.*\): CM100004 /);
  t.regex(error.message, /preferred \(.*\): CM100004 /);
});
