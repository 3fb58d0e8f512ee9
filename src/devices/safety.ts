import { fail, type CapmediaError } from '../errors/index.js';
import { formatBytes } from '../config/size.js';
import { describeDisk, type DeviceFacts } from './inspect.js';

export interface SafetyOptions {
  /** Bytes that will be written; omitted until the image exists. */
  minBytes?: number;
  /** format: false copies onto an existing partition, so a partition is a valid target. */
  allowPartition?: boolean;
}

type Rule = (facts: DeviceFacts, options: SafetyOptions) => CapmediaError | undefined;

const dev = (name: string) => `/dev/${name}`;

/**
 * R5: only a removable, unused, non-system drive is ever written. Each rule
 * says what is wrong with the drive and what to do; the first that applies
 * refuses the drive. Ventoy and balenaEtcher refuse the same cases.
 */
const RULES: Rule[] = [
  ({ path, target }, { allowPartition }) =>
    target.isPartition && !allowPartition ? fail('devicePartition', { path, disk: dev(target.disk.name) }) : undefined,
  ({ path, target, systemMount }) =>
    systemMount ? fail('deviceHoldsSystem', { path, disk: dev(target.disk.name), systemMount }) : undefined,
  ({ path, target, protectedHits }) =>
    protectedHits.length ? fail('deviceHoldsBuildFolders', { path, disk: dev(target.disk.name), folders: protectedHits }) : undefined,
  ({ path, target }) =>
    !target.disk.removable && !target.disk.hotplug && target.disk.transport !== 'usb'
      ? fail('deviceNotRemovable', { path, disk: describeDisk(target.disk) })
      : undefined,
  ({ path, target }) => (target.disk.readOnly ? fail('deviceReadOnly', { path }) : undefined),
  ({ path, target }) => (target.sizeBytes === 0 ? fail('deviceNoMedium', { path }) : undefined),
  ({ path, mounted }) =>
    mounted.length
      ? fail('deviceMounted', { path, mounts: mounted.map((m) => ({ device: dev(m.name), mountPoint: m.mountPoint })) })
      : undefined,
  ({ path, swap }) => (swap.length ? fail('deviceIsSwap', { path, devices: swap.map(dev) }) : undefined),
  ({ path, target }) => (target.disk.holders.length ? fail('deviceHeld', { path, holders: target.disk.holders }) : undefined),
  ({ path, target }, { minBytes }) =>
    minBytes !== undefined && target.sizeBytes < minBytes
      ? fail('deviceTooSmall', { path, size: formatBytes(target.sizeBytes), needed: formatBytes(minBytes) })
      : undefined,
];

/** Throws DEVICE_REFUSED with the first reason the drive must not be written. */
export function refuseUnsafeDevice(facts: DeviceFacts, options: SafetyOptions = {}): void {
  for (const rule of RULES) {
    const refusal = rule(facts, options);
    if (refusal) throw refusal;
  }
}
