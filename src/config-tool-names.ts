// Tool rules (a key's tools.allow / deny, approval, toolLimits) and toolCosts name tools as the
// gateway offers them: `server__tool`, only [a-zA-Z0-9_-], at most 64 characters (mcp/tool-names.ts).
// A rule written with the MCP server's own spelling (`docs__delete.page`) or the long form of a name
// the gateway shortens matches no tool at all, silently: a deny that denies nothing, an approval
// never asked, a paid tool that costs 0. Such a rule is refused where it is written (a startup
// error naming the field, or a 400 from the admin API) with the spelling to use instead, rather
// than matched under both spellings: one spelling keeps every rule, listing and ledger row in the
// same names, and the gateway cannot know a tool's name before its server is listed.
import type { z } from 'zod';

/** Mirrors mcp/tool-names.ts (config is below mcp/ in the layers, and needs only the two facts). */
const MAX_TOOL_NAME_LENGTH = 64;
const OUTSIDE_NAME = /[^a-zA-Z0-9_-]/;
const OUTSIDE_GLOB = /[^a-zA-Z0-9_\-*?]/;

/** Why `rule` (a glob, or an exact name when `exact`) can match no gateway tool name; undefined when it can. */
export function toolRuleProblem(rule: string, exact = false): string | undefined {
  const outside = exact ? OUTSIDE_NAME : OUTSIDE_GLOB;
  if (outside.test(rule)) {
    const spelled = rule.replace(new RegExp(outside.source, 'g'), '_');
    return (
      `"${rule}" matches no tool: gateway tool names have only letters, digits, "_" and "-" ` +
      `(the gateway offers MCP tool "a.b" of server "s" as "s__a_b"); write "${spelled}"` +
      (exact ? '' : ', or use "?" for the character')
    );
  }
  // Each character but "*" stands for one of the name's.
  let least = 0;
  for (const c of rule) if (c !== '*') least++;
  if (least > MAX_TOOL_NAME_LENGTH)
    return (
      `"${rule}" matches no tool: gateway tool names are at most ${MAX_TOOL_NAME_LENGTH} characters, and a longer one is ` +
      'offered shortened to a prefix and a hash of its full name: write the name GET /api/mcp-servers lists for it'
    );
  return undefined;
}

/** A zod check for a tool rule, its problem reported at the rule's path. */
export const checkToolRule =
  (exact = false) =>
  (rule: string, ctx: z.RefinementCtx): void => {
    const problem = toolRuleProblem(rule, exact);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  };

/** toolCosts keys are exact gateway names (zod reports a record key's own check without its message). */
export function checkToolCostNames(costs: Record<string, number>, ctx: z.RefinementCtx): void {
  for (const name of Object.keys(costs)) {
    const problem = toolRuleProblem(name, true);
    if (problem) ctx.addIssue({ code: 'custom', path: [name], message: problem });
  }
}
