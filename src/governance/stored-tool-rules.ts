// Keys an earlier version stored through the admin API, before tool rules were checked where they
// are written (config-tool-names.ts), may hold a rule no gateway tool name can match: a deny that
// denies nothing, an approval never asked for. Stored data must not stop startup, so such a key
// still loads as stored; each such rule becomes a warning naming the key, the field and the rule
// (logged, and listed in the startup summary) so that an operator re-saves the key.
import { toolRuleProblem } from '../config-tool-names.js';
import type { VirtualKeyRecord } from './types.js';

/** One warning per tool rule of `key` that no gateway tool name can match; none for a sound key. */
export function unmatchableToolRules(key: VirtualKeyRecord): string[] {
  const rules = [
    ...key.tools.allow.map((rule) => ({ field: 'tools.allow', rule })),
    ...key.tools.deny.map((rule) => ({ field: 'tools.deny', rule })),
    ...(key.approval ?? []).map((rule) => ({ field: 'approval', rule })),
    ...key.toolLimits.map((l, i) => ({ field: `toolLimits[${i}].tool`, rule: l.tool })),
  ];
  const warnings: string[] = [];
  for (const { field, rule } of rules) {
    const problem = toolRuleProblem(rule);
    if (problem)
      warnings.push(
        `virtual key ${key.id} (stored through the admin API): ${field} ${problem}. ` +
          `The key is loaded as stored; fix the rule with PATCH /api/virtual-keys/${key.id}`,
      );
  }
  return warnings;
}
