import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decidePrompt, decideResource, decideResourceTemplate, globCoversPrefix, reachesServer } from './offer-policy.js';
import { OPEN_POLICY, compilePolicy } from './policy.js';

const key = (extra: Record<string, unknown>) =>
  compilePolicy({ id: 'k', models: [], tools: { allow: [], deny: [] }, toolLimits: [], rateLimit: undefined, ...extra });

describe('reachesServer (the default for prompts and resources)', () => {
  test('a tool allow pattern that can name a server’s tool reaches the server', () => {
    assert.equal(reachesServer({ allow: ['docs__search'], deny: [] }, 'docs'), true);
    assert.equal(reachesServer({ allow: ['docs__*'], deny: [] }, 'docs'), true);
    assert.equal(reachesServer({ allow: ['*'], deny: [] }, 'docs'), true);
    assert.equal(reachesServer({ allow: ['d*'], deny: [] }, 'docs'), true);
    assert.equal(reachesServer({ allow: ['docs__search'], deny: [] }, 'doc'), false);
    assert.equal(reachesServer({ allow: ['other__*'], deny: [] }, 'docs'), false);
    assert.equal(reachesServer({ allow: [], deny: [] }, 'docs'), false);
  });

  test('a deny pattern that takes the whole server takes its prompts and resources too; one tool does not', () => {
    assert.equal(reachesServer({ allow: ['*'], deny: ['docs__*'] }, 'docs'), false);
    assert.equal(reachesServer({ allow: ['*'], deny: ['*'] }, 'docs'), false);
    assert.equal(reachesServer({ allow: ['*'], deny: ['do*'] }, 'docs'), false);
    assert.equal(reachesServer({ allow: ['*'], deny: ['docs__delete'] }, 'docs'), true);
    assert.equal(reachesServer({ allow: ['*'], deny: ['docs__d*'] }, 'docs'), true);
  });

  test('globCoversPrefix', () => {
    assert.equal(globCoversPrefix('docs__*', 'docs__'), true);
    assert.equal(globCoversPrefix('d?cs*', 'docs__'), true);
    assert.equal(globCoversPrefix('docs__', 'docs__'), false, 'no trailing *: one name only');
    assert.equal(globCoversPrefix('docs__x*', 'docs__'), false);
  });
});

describe('decidePrompt / decideResource', () => {
  test('without lists, what the tools reach', () => {
    const p = key({ tools: { allow: ['docs__search'], deny: [] } });
    assert.deepEqual(decidePrompt(p, 'docs__summarize'), { allowed: true });
    assert.deepEqual(decideResource(p, 'docs+file:///README.md'), { allowed: true });
    const refused = decidePrompt(p, 'git__review');
    assert.equal(refused.allowed, false);
    assert.equal(!refused.allowed && refused.reason, 'prompt_not_allowed');
    assert.equal(decideResource(p, 'git+file:///x').allowed, false);
    assert.equal(decideResource(p, 'no-server-part').allowed, false);
  });

  test('explicit lists replace the default; deny wins; resource globs match whole gateway URIs', () => {
    const p = key({
      tools: { allow: ['*'], deny: [] },
      prompts: { allow: ['docs__*'], deny: ['docs__secret'] },
      resources: { allow: ['docs+file:///public/*'], deny: [] },
    });
    assert.equal(decidePrompt(p, 'docs__summarize').allowed, true);
    assert.equal(decidePrompt(p, 'docs__secret').allowed, false);
    assert.equal(decidePrompt(p, 'git__review').allowed, false, 'the tools reach git, but the list decides');
    assert.equal(decideResource(p, 'docs+file:///public/a/b.md').allowed, true);
    assert.equal(decideResource(p, 'docs+file:///private/a.md').allowed, false);
    const none = key({ tools: { allow: ['*'], deny: [] }, prompts: { allow: [], deny: [] } });
    assert.equal(decidePrompt(none, 'docs__x').allowed, false, 'an empty list means none');
  });

  test('a URI is decided as sent and as a URL parser reads it; a template on its text', () => {
    const p = key({
      tools: { allow: ['*'], deny: [] },
      resources: { allow: ['docs+file:///public/*', 'docs+file:///My Docs/*', 'docs+x://t/{id}'], deny: ['docs+file:///public/secret'] },
    });
    for (const uri of [
      'docs+file:///public/../etc/passwd',
      'docs+file:///public/%2e%2e/etc/passwd',
      'docs+file:///public\\..\\etc/passwd',
      'docs+FILE:///public/secret',
      'docs+file:///public/./secret',
      'docs+file:///public/sec\tret',
    ])
      assert.equal(decideResource(p, uri).allowed, false, uri);
    assert.equal(decideResource(p, 'docs+file:///public/a.md').allowed, true);
    assert.equal(decideResource(p, 'docs+file:///My Docs/a.md').allowed, true, 'percent-encoded by the parser, allowed decoded');
    assert.equal(decideResourceTemplate(p, 'docs+x://t/{id}').allowed, true, 'braces a parser would encode');
  });

  test('the open policy allows everything', () => {
    assert.equal(decidePrompt(OPEN_POLICY, 'a__b').allowed, true);
    assert.equal(decideResource(OPEN_POLICY, 'a+file:///x').allowed, true);
  });
});
