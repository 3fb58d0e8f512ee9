import { CP850_HIGH } from '../../tools/charset.js';

/**
 * What names a media file system can hold, checked on every path before
 * anything is fetched. Refused, not mapped: a renamed file breaks whatever
 * refers to it (a script, an answer file, a driver .inf), so the package must
 * say what the name is. Rules apply to one path component at a time.
 */
export interface NameRules {
  /** The file system as users know it, e.g. "Joliet (what Windows reads on an ISO)". */
  fileSystem: string;
  /** Why the component cannot be held, or undefined when it can. */
  problem(component: string): string | undefined;
}

/** Characters Windows refuses in any name (and ISO/FAT readers with it), besides the control characters. */
const WINDOWS_FORBIDDEN = /["*/:<>?\\|]/u;
const CONTROL = /[\u0000-\u001f\u007f]/u;
/** Names Windows reserves for devices, whatever the extension. */
const DEVICE_NAMES = /^(con|prn|aux|nul|com[1-9]|lpt[1-9])(\.|$)/iu;
/** A character beyond UCS-2 (outside the Basic Multilingual Plane) takes two UTF-16 units. */
const BEYOND_UCS2 = /[\u{10000}-\u{10ffff}]/u;

function common(component: string, forbidden: RegExp): string | undefined {
  const control = CONTROL.exec(component);
  if (control) return `has the control character U+${control[0].codePointAt(0)!.toString(16).padStart(4, '0').toUpperCase()}`;
  const bad = forbidden.exec(component);
  if (bad) return `has the character ${JSON.stringify(bad[0])}`;
  if (DEVICE_NAMES.test(component)) return 'is a name Windows reserves for a device';
  const wide = BEYOND_UCS2.exec(component);
  if (wide) return `has the character ${wide[0]} (U+${wide[0].codePointAt(0)!.toString(16).toUpperCase()}), which UCS-2 cannot hold`;
  return undefined;
}

/** xorriso's -joliet-long: 103 UCS-2 characters a name (plain Joliet: 64). */
export const JOLIET_MAX_NAME = 103;

/** Joliet also forbids ";" (the file version separator). */
const JOLIET_FORBIDDEN = /["*/:;<>?\\|]/u;

export const JOLIET_NAMES: NameRules = {
  fileSystem: 'Joliet (the names Windows reads on an ISO)',
  problem: (component) => (plainJolietName(component) ? undefined : jolietProblem(component)),
};

/** The full Joliet rules, which say why a name is refused. */
export function jolietProblem(component: string): string | undefined {
  const found = common(component, JOLIET_FORBIDDEN);
  if (found) return found;
  if (component.length > JOLIET_MAX_NAME) return `is ${component.length} characters long; Joliet holds ${JOLIET_MAX_NAME}`;
  return undefined;
}

/** A FAT long name holds 255 UTF-16 characters. */
export const FAT_MAX_NAME = 255;

/** Whether the OEM code page of the short names capmedia writes (tools/charset.ts) holds the character. */
const inCp850 = (c: string) => c < '\u0080' || CP850_HIGH.includes(c);

/**
 * A name that fits 8.3 (and has one case per part) gets no long name: only
 * the OEM short name, with case flags. mtools transliterates characters the
 * code page lacks (ł → l) without making a long name, so such a name would
 * silently lose characters.
 */
function shortNameOnly(component: string): boolean {
  const dot = component.lastIndexOf('.');
  const [base, ext] = dot > 0 ? [component.slice(0, dot), component.slice(dot + 1)] : [component, ''];
  const oneCase = (part: string) => part === part.toUpperCase() || part === part.toLowerCase();
  return (
    base.length >= 1 &&
    base.length <= 8 &&
    ext.length <= 3 &&
    !base.includes('.') &&
    !/[ +,;=[\]]/u.test(component) &&
    oneCase(base) &&
    oneCase(ext)
  );
}

export const FAT_NAMES: NameRules = {
  fileSystem: 'FAT32 (USB media)',
  problem: (component) => (plainFatName(component) ? undefined : fatProblem(component)),
};

/** The full FAT rules, which say why a name is refused. */
export function fatProblem(component: string): string | undefined {
  const found = common(component, WINDOWS_FORBIDDEN);
  if (found) return found;
  if (component.length > FAT_MAX_NAME) return `is ${component.length} characters long; a FAT long name holds ${FAT_MAX_NAME}`;
  if (/[. ]$/u.test(component)) return 'ends with a dot or a space, which Windows drops from FAT names';
  const outside = [...component].find((c) => !inCp850(c) || !inCp850(c.toUpperCase()));
  if (outside && shortNameOnly(component)) {
    return `fits an 8.3 short name but has ${JSON.stringify(outside)}, which code page 850 lacks, so it would be stored without it`;
  }
  return undefined;
}

/*
 * Fast paths: every component of every file is looked at before each build,
 * so the common name is accepted by two regular expressions (compiled, where
 * a loop would run interpreted this early in a process); any other name
 * takes the full rules above, which explain it. Each accepts only names its
 * full rules accept.
 */

/** Controls, what Joliet forbids, and surrogates (a character beyond UCS-2, or half of one). */
const JOLIET_UNPLAIN = /[\u0000-\u001f\u007f"*/:;<>?\\|\ud800-\udfff]/;
/**
 * Anything but printable ASCII (code page 850 and short names are the full
 * rules' business), what Windows forbids, a trailing dot or space.
 */
const FAT_UNPLAIN = /[^\u0020-\u007e]|["*/:<>?\\|]|[. ]$/;

const plainJolietName = (component: string) =>
  component.length <= JOLIET_MAX_NAME && !JOLIET_UNPLAIN.test(component) && !DEVICE_NAMES.test(component);

const plainFatName = (component: string) =>
  component.length <= FAT_MAX_NAME && !FAT_UNPLAIN.test(component) && !DEVICE_NAMES.test(component);
