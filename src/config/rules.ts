import type { ConfigIssue } from './issues.js';
import { showValue } from './issues.js';
import type { NormalizedConfig } from './normalize.js';
import { checkTaskSequenceRules } from '../tasksequence/rules.js';

/** Semantic rules the schema cannot express. Each returns issues with dot paths. */
type Rule = (config: NormalizedConfig) => ConfigIssue[];

const mediaPath = (config: NormalizedConfig, index: number, key: string) =>
  config.mediaIsList ? `media[${index}].${key}` : `media.${key}`;

const outputRequired: Rule = (config) =>
  config.media.flatMap((media, i) => {
    const { output } = config.registry.mediaType(media.type);
    if (media[output.key]) return [];
    return [{ path: mediaPath(config, i, output.key), message: `nothing is not allowed: ${output.help}` }];
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
        path: mediaPath(config, i, config.registry.mediaType(media.type).output.key),
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

/**
 * A key of another media type is accepted by the schema only so it can be
 * named here; then each media type's own rules on its keys.
 */
const mediaOptions: Rule = (config) =>
  config.media.flatMap((media, i) => {
    const type = config.registry.mediaType(media.type);
    const foreign = config.registry.mediaTypes
      .filter((other) => other !== type)
      .flatMap((other) => Object.keys(other.options).map((key) => [key, other.name] as const))
      .filter(([key]) => !(key in type.options) && media[key] !== undefined);
    const owners = new Map<string, string[]>();
    for (const [key, owner] of foreign) owners.set(key, [...(owners.get(key) ?? []), owner]);
    return [
      ...[...owners].map(([key, names]) => ({
        path: mediaPath(config, i, key),
        message: `${showValue(media[key])} is not allowed on ${media.type} media: ${key} applies to media.type ${names.map((n) => JSON.stringify(n)).join(' or ')} only`,
      })),
      ...(type.checkOptions?.(media) ?? []).map((issue) => ({ path: mediaPath(config, i, issue.key), message: issue.message })),
    ];
  });

const RULES: Rule[] = [outputRequired, uniqueNames, knownDistributionPoint, labelText, authComplete, mediaOptions];

export function checkRules(config: NormalizedConfig): ConfigIssue[] {
  return [...RULES.flatMap((rule) => rule(config)), ...checkTaskSequenceRules(config)];
}
