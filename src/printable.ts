/**
 * The one place names from outside (package paths and IDs, names read off
 * media) are made safe to print: a name can carry terminal escape sequences
 * (ESC ] 0; … BEL retitles the window, ESC [ 2 J clears it), carriage returns
 * that overwrite a line, or bidi overrides that reorder it. They are shown as
 * \u001b-style escapes instead.
 */

/** C0 and C1 controls, DEL, and the bidi embedding/override/isolate characters. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/gu;
/** The same, but keeping tab and newline: for whole messages, whose lines are capmedia's own. */
const CONTROL_IN_TEXT = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/gu;
/** What JSON.stringify leaves raw inside strings (it escapes C0 only). */
const CONTROL_IN_JSON = /[\u007f-\u009f\u202a-\u202e\u2066-\u2069]/gu;

const escaped = (c: string) => `\\u${c.codePointAt(0)!.toString(16).padStart(4, '0')}`;

/** A name as it may appear in a message: every control character escaped, newlines and tabs included. */
export function printable(name: string): string {
  return name.replace(CONTROL, escaped);
}

/** A name in quotes, as JSON would write it, with the controls JSON leaves raw escaped too. */
export function quoted(name: string): string {
  return printableJson(JSON.stringify(name));
}

/** A whole message or report: its own line breaks and tabs kept, every other control character escaped. */
export function printableText(text: string): string {
  return text.replace(CONTROL_IN_TEXT, escaped);
}

/** A JSON document: these characters can only occur inside its strings, where \u escapes mean the same. */
export function printableJson(json: string): string {
  return json.replace(CONTROL_IN_JSON, escaped);
}
