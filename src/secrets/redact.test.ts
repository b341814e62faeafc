import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { redactText, redactUrl, urlSecrets } from './redact.js';

describe('redaction', () => {
  test('a URL loses its userinfo, query values and fragment; keys and path stay', () => {
    assert.equal(
      redactUrl('https://bob:s3cret@mcp.example.com:8443/mcp?api_key=abcd&x=1#frag'),
      'https://[redacted]@mcp.example.com:8443/mcp?api_key=[redacted]&x=[redacted]',
    );
    assert.equal(redactUrl('http://127.0.0.1:3001/mcp'), 'http://127.0.0.1:3001/mcp');
  });

  test('URLs inside prose and known secret values are replaced', () => {
    const text = 'fetch http://u:pass1234@10.0.0.1/mcp?token=T0K3N failed; header said tok-ABCDEF';
    const out = redactText(text, ['tok-ABCDEF', 'abc']);
    assert.equal(out, 'fetch http://[redacted]@10.0.0.1/mcp?token=[redacted] failed; header said [redacted]');
    assert.equal(redactText('short abc stays', ['abc']), 'short abc stays', 'values under 4 characters are not treated as secrets');
  });

  test("a URL's secrets: password (raw and decoded) and query values", () => {
    assert.deepEqual(urlSecrets('https://bob:s%40cret@h/x?api_key=QQQQ').sort(), ['QQQQ', 's%40cret', 's@cret']);
  });
});
