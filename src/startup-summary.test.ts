// The startup summary is where an operator looks: what governance loaded with a warning is listed
// there too, not only in the log (src/governance/stored-tool-rules.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from './config.js';
import { startupSummary } from './startup-summary.js';

const { config } = parseConfig('{}', 'test config', {});
const summary = (warnings?: string[]) =>
  startupSummary({
    config,
    providersMissingKeys: {},
    mcp: [],
    keys: 1,
    url: 'http://127.0.0.1:1',
    dbPath: 'x',
    adminToken: true,
    warnings,
  });

test('governance warnings are listed in the summary, one a line; none, no section', () => {
  const lines = summary(['virtual key legacy (stored through the admin API): tools.deny "a.b" matches no tool', 'team eng ignored']).split(
    '\n',
  );
  const at = lines.indexOf('  warnings (2):');
  assert.ok(at > 0, lines.join('\n'));
  assert.deepEqual(lines.slice(at + 1, at + 3), [
    '    virtual key legacy (stored through the admin API): tools.deny "a.b" matches no tool',
    '    team eng ignored',
  ]);
  assert.doesNotMatch(summary([]), /warnings/);
  assert.doesNotMatch(summary(), /warnings/);
});
