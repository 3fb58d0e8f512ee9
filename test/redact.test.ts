import test from 'ava';
import { redact, redactDeep } from '../src/redact.js';
import { CapmediaError } from '../src/errors/index.js';

test('passwords and tokens in URLs are replaced; the rest of the text stays readable', (t) => {
  t.is(redact('GET https://svc:Secret123@dav.example.org/x failed'), 'GET https://svc:***@dav.example.org/x failed');
  t.is(redact('smb://u:p@ss@host/share'), 'smb://u:***@host/share');
  t.is(redact('http://tok123@host/'), 'http://***@host/');
  t.is(redact('https://h/x?sig=abc&n=1&token=zz'), 'https://h/x?sig=***&n=1&token=***');
  t.is(redact('disk:CAPTURE and user@example.org'), 'disk:CAPTURE and user@example.org');
});

test('every CapmediaError and JSON value passes through it', (t) => {
  const error = new CapmediaError('DP_UNREACHABLE', 'https://a:b1@h/ is down', { hint: 'try https://a:b1@h2/', detail: 'http://x:y1@z/' });
  t.false(`${error.message}${error.hint}${error.detail}`.includes('b1'));
  t.deepEqual(redactDeep({ url: 'http://u:pw@h/', list: ['https://u:pw@h/'], n: 1 }), {
    url: 'http://u:***@h/',
    list: ['https://u:***@h/'],
    n: 1,
  });
});
