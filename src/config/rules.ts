import type { ConfigIssue } from './issues.js';
import { showValue } from './issues.js';
import type { NormalizedConfig } from './normalize.js';
import { checkTaskSequenceRules } from '../tasksequence/rules.js';
import { parseMediaSize } from './size.js';

/** Semantic rules the schema cannot express. Each returns issues with dot paths. */
type Rule = (config: NormalizedConfig) => ConfigIssue[];

const mediaPath = (config: NormalizedConfig, index: number, key: string) =>
  config.mediaIsList ? `media[${index}].${key}` : `media.${key}`;

const outputRequired: Rule = (config) =>
  config.media.flatMap((media, i) => {
    if (media.type === 'iso' && !media.file) {
      return [
        {
          path: mediaPath(config, i, 'file'),
          message: 'nothing is not allowed: an ISO needs media.file, the output path (e.g. "out/capture.iso")',
        },
      ];
    }
    if (media.type === 'usb' && !media.device) {
      return [
        {
          path: mediaPath(config, i, 'device'),
          message:
            'nothing is not allowed: USB media need media.device, a disk image path (e.g. "out/capture.img") or a removable drive (/dev/sdX)',
        },
      ];
    }
    return [];
  });

const uniqueNames: Rule = (config) => {
  const issues: ConfigIssue[] = [];
  const seen = new Map<string, number>();
  config.media.forEach((media, i) => {
    if (seen.has(media.name))
      issues.push({
        path: mediaPath(config, i, 'name'),
        message: `${showValue(media.name)} is used twice: every media entry needs its own name`,
      });
    seen.set(media.name, i);
  });
  const outputs = new Set<string>();
  config.media.forEach((media, i) => {
    if (media.output && outputs.has(media.output)) {
      issues.push({
        path: mediaPath(config, i, media.type === 'iso' ? 'file' : 'device'),
        message: `${showValue(media.output)} is the output of another media entry too: give each its own path`,
      });
    }
    outputs.add(media.output);
  });
  const dps = new Set<string>();
  config.distributionPoints.forEach((dp, i) => {
    if (dps.has(dp.name))
      issues.push({
        path: `distributionPoints[${i}].name`,
        message: `${showValue(dp.name)} is used twice: every distribution point needs its own name`,
      });
    dps.add(dp.name);
  });
  return issues;
};

const knownDistributionPoint: Rule = (config) => {
  const wanted = config.bootImage.distributionPoint;
  if (!wanted || config.distributionPoints.some((dp) => dp.name === wanted)) return [];
  const names = config.distributionPoints.map((dp) => JSON.stringify(dp.name)).join(', ');
  return [
    {
      path: 'bootImage.distributionPoint',
      message: `${showValue(wanted)} is not allowed: expected the name of a configured distribution point (${names})`,
    },
  ];
};

const labelText: Rule = (config) =>
  config.media.flatMap((media, i) => {
    const path = mediaPath(config, i, 'label');
    if (media.label.trim() === '')
      return [{ path, message: `${showValue(media.label)} is not allowed: the label needs at least one visible character` }];
    if (/[\u0000-\u001f\u007f]/.test(media.label))
      return [
        {
          path,
          message: `${showValue(media.label)} is not allowed: control characters (such as a line break) cannot be part of a volume label`,
        },
      ];
    if (media.label.length > 32)
      return [
        {
          path,
          message: `${showValue(media.label)} is ${media.label.length} characters long: at most 32 are allowed (an ISO 9660 volume id holds 32; a FAT label keeps the first 11)`,
        },
      ];
    return [];
  });

const authComplete: Rule = (config) =>
  config.distributionPoints.flatMap((dp, i) => {
    const auth = dp.auth;
    if (!auth) return [];
    const path = `distributionPoints[${i}].auth`;
    if (auth.tokenEnv && (auth.passwordEnv || auth.passwordFile))
      return [{ path, message: 'choose either tokenEnv (Bearer) or a username with passwordEnv/passwordFile (Basic), not both' }];
    if (!auth.tokenEnv && !auth.username)
      return [
        { path: `${path}.username`, message: 'nothing is not allowed: Basic auth needs a username (or use tokenEnv for a Bearer token)' },
      ];
    if (auth.username && !auth.passwordEnv && !auth.passwordFile)
      return [
        {
          path,
          message: 'Basic auth needs passwordEnv (an environment variable name) or passwordFile; passwords are never written in the config',
        },
      ];
    return [];
  });

/** imageSize and partitionTable shape a new USB image: meaningless on an ISO or when copying onto a prepared drive. */
const usbImageKeys: Rule = (config) =>
  config.media.flatMap((media, i) =>
    (['imageSize', 'partitionTable'] as const).flatMap((key) => {
      if (media[key] === undefined) return [];
      const path = mediaPath(config, i, key);
      if (media.type !== 'usb')
        return [
          { path, message: `${showValue(media[key])} is not allowed on ${media.type} media: ${key} applies to media.type "usb" only` },
        ];
      if (!media.format)
        return [
          {
            path,
            message: `${showValue(media[key])} has no effect with media.format: false (the drive is already partitioned and formatted): remove it, or set format: true`,
          },
        ];
      if (key === 'imageSize' && (parseMediaSize(media.imageSize!) ?? 0) < 64 * 2 ** 20)
        return [{ path, message: `${showValue(media.imageSize)} is too small: a FAT32 USB image needs at least "64MiB"` }];
      return [];
    }),
  );

const RULES: Rule[] = [outputRequired, uniqueNames, knownDistributionPoint, labelText, authComplete, usbImageKeys];

export function checkRules(config: NormalizedConfig): ConfigIssue[] {
  return [...RULES.flatMap((rule) => rule(config)), ...checkTaskSequenceRules(config)];
}
