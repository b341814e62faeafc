// Both providers ask for server-side compaction the same way: an entry of a list (Anthropic's
// `context_management.edits`, OpenAI's `context_management`) whose `type` starts with `compact`.
// Each surface refuses it under a budget with its own reason (wire/messages/compaction.ts,
// responses/compaction.ts); finding the entry is this. Pure.

/** The `type` of the first entry of `entries` that asks for compaction, if any. */
export function compactionType(entries: unknown): string | undefined {
  if (!Array.isArray(entries)) return undefined;
  for (const entry of entries) {
    const type = (entry as { type?: unknown } | null)?.type;
    if (typeof type === 'string' && type.startsWith('compact')) return type;
  }
  return undefined;
}
