import { defineErrors } from './entry.js';

const fixPlugin = (a: { type: string }): string =>
  `Fix the plugin so it matches the ${a.type} interface (README "Architecture: plugins"), or remove it from plugins; nothing was built.`;

/** Plugins and the registry (plugins/): what they register, and names nobody registered. */
export const pluginErrors = defineErrors({
  pluginListInvalid: {
    code: 'CONFIG_INVALID',
    title: 'A plugin list is not an array',
    message: (a: { plugin: string; list: string; found: string; what: string; type: string }) =>
      `The plugin ${a.plugin}: ${a.list} is ${a.found}, not an array of ${a.what}s.`,
    hint: fixPlugin,
  },
  pluginMemberNotObject: {
    code: 'CONFIG_INVALID',
    title: 'A plugin member is not an object',
    message: (a: { plugin: string; what: string; label: string; found: string; type: string }) =>
      `The plugin ${a.plugin}: its ${a.what} ${a.label} is ${a.found}, not an object.`,
    hint: fixPlugin,
  },
  pluginMemberInvalid: {
    code: 'CONFIG_INVALID',
    title: 'A plugin member is not valid',
    message: (a: { plugin: string; what: string; label: string; problems: string[]; type: string }) =>
      `The plugin ${a.plugin}: its ${a.what} ${a.label} is not valid: ${a.problems.join('; ')}.`,
    hint: fixPlugin,
  },
  pluginNameTaken: {
    code: 'CONFIG_INVALID',
    title: 'Two plugins register one name',
    message: (a: { name: string; what: string; key: string; owner: string }) =>
      `The plugin ${a.name} registers the ${a.what} ${a.key}, which ${a.owner} registers already.`,
    hint: (a: { what: string }) => `Remove one of the two plugins from plugins, or give the ${a.what} another name.`,
  },
  mediaTypeUnknown: {
    code: 'USAGE',
    title: 'Unknown media type',
    message: (a: { name: string; mediaTypes: string }) => `Media type ${a.name} is not available in this version.`,
    hint: (a: { mediaTypes: string }) => `Available media types: ${a.mediaTypes}.`,
  },
  bootPlatformUnknown: {
    code: 'BOOT_IMAGE_INVALID',
    title: 'Unknown boot platform',
    message: (a: { name: string; bootPlatforms: string }) => `Boot image platform ${a.name} is not supported by this version.`,
    hint: (a: { bootPlatforms: string }) => `Supported platforms: ${a.bootPlatforms}.`,
  },
  dpSchemeUnknown: {
    code: 'DP_UNKNOWN',
    title: 'Unknown URL scheme',
    message: (a: { name: string; protocol: string; schemes: string }) =>
      `Distribution point ${a.name} uses ${a.protocol} URLs, which this version cannot read.`,
    hint: (a: { schemes: string }) => `Supported URL schemes: ${a.schemes}.`,
  },
});
