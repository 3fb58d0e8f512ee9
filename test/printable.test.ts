import test from 'ava';
import { formatError } from '../src/commands/output.js';
import { CapmediaError } from '../src/errors/index.js';
import { printable, printableJson, printableText, quoted } from '../src/printable.js';

const EVIL = 'evil\x1b]0;PWNED\x07\x1b[2Jname.txt';

test('a name: every control character escaped as \\u00XX, newlines, C1 controls and bidi overrides included', (t) => {
  t.is(printable(EVIL), 'evil\\u001b]0;PWNED\\u0007\\u001b[2Jname.txt');
  t.is(printable('a\nb\r\tc\u007f\u009bd\u202ee'), 'a\\u000ab\\u000d\\u0009c\\u007f\\u009bd\\u202ee');
  t.is(printable('Grüße/日本語.txt'), 'Grüße/日本語.txt');
  t.is(quoted('x\u009b"y'), '"x\\u009b\\"y"');
});

test('a whole message keeps its own line breaks and tabs; JSON gets the controls JSON.stringify leaves raw escaped', (t) => {
  t.is(printableText(`line 1\n\tline 2 ${EVIL}`), 'line 1\n\tline 2 evil\\u001b]0;PWNED\\u0007\\u001b[2Jname.txt');
  const json = printableJson(JSON.stringify({ name: 'a\u009b\u202eb' }));
  t.is(json, '{"name":"a\\u009b\\u202eb"}');
  t.is(JSON.parse(json).name, 'a\u009b\u202eb');
});

test('an error never reaches the terminal with a raw control character, whichever call site built it', (t) => {
  const error = new CapmediaError('NAME_UNSUPPORTED', `A file name cannot be held:\n  ${EVIL}`, { hint: `rename ${EVIL}` });
  for (const json of [false, true]) {
    const text = formatError(error, { json, verbose: false });
    t.notRegex(text.replace(/\n/g, ''), /[\u0000-\u001f\u007f-\u009f]/, `json: ${json}`);
    t.true(text.includes('evil\\u001b]0;PWNED\\u0007\\u001b[2Jname.txt'), text);
  }
  t.is(JSON.parse(formatError(error, { json: true, verbose: false })).error.hint, `rename ${EVIL}`, 'JSON still decodes to the name');
});
