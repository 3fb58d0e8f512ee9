import test from 'ava';
import { parseDestination } from '../../src/tasksequence/destination.js';

test('disk:<LABEL> with an optional folder', (t) => {
  t.deepEqual(parseDestination('disk:CAPTURE'), { ok: true, destination: { kind: 'disk', label: 'CAPTURE', path: '' } });
  t.deepEqual(parseDestination('disk:USB-DATA/images/site a'), {
    ok: true,
    destination: { kind: 'disk', label: 'USB-DATA', path: 'images/site a' },
  });
});

test('http(s) URLs: origin and path kept apart for MKCOL, no trailing slash', (t) => {
  t.deepEqual(parseDestination('http://10.0.2.2:8080/images/site-a/'), {
    ok: true,
    destination: { kind: 'http', url: 'http://10.0.2.2:8080/images/site-a', origin: 'http://10.0.2.2:8080', path: 'images/site-a' },
  });
  t.deepEqual(parseDestination('https://dp.example.org'), {
    ok: true,
    destination: { kind: 'http', url: 'https://dp.example.org', origin: 'https://dp.example.org', path: '' },
  });
});

test('nfs: the whole path is the export; smb: the first segment is the share', (t) => {
  t.deepEqual(parseDestination('nfs://nas/srv/captures'), {
    ok: true,
    destination: { kind: 'nfs', host: 'nas', share: '/srv/captures', path: '' },
  });
  t.deepEqual(parseDestination('smb://fs01/Captures/2024/ref'), {
    ok: true,
    destination: { kind: 'smb', host: 'fs01', share: 'Captures', path: '2024/ref' },
  });
});

for (const [text, why] of [
  ['disk:', /label ""/],
  ['disk:THIS_LABEL_IS_TOO_LONG', /1 to 16/],
  ['disk:CAPTURE/../etc', /may not be "\." or "\.\."/],
  ['http://user:secret@dp/images', /credentials in it/],
  ['https://dp/images?x=1', /query or fragment/],
  ['nfs://nas', /export path/],
  ['smb://fs01/', /share name/],
  ['ftp://host/x', /scheme ftp:/],
  ['http://dp/a%2Fb', /folder names may hold/],
] as const) {
  test(`refuses ${text}`, (t) => {
    const parsed = parseDestination(text);
    t.false(parsed.ok);
    if (!parsed.ok) t.regex(parsed.problem, why);
  });
}
