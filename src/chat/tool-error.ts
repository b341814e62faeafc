// What the model reads when a tool call is refused or fails: a small JSON object with a stable
// machine-readable reason (tool_not_allowed, tool_denied, tool_rate_limited, budget_exceeded,
// unknown_tool, loop_limit, …) and a sentence for the model to act on.

export function toolErrorContent(reason: string, message: string): string {
  return JSON.stringify({ error: { reason, message } });
}
