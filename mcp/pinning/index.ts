// Tool-definition pinning: drift quarantine and first-sight injection scanning for MCP tools.
export { PinnedTools } from './pinned-tools.js';
export type { PinCounts, PinSource, PinnedToolsOptions, ReviewResult } from './pinned-tools.js';
export type { PinView } from './pin-view.js';
export type { ReviewError } from './evaluate.js';
export type { InjectionFlag } from './injection-scan.js';
export type { DefinitionDiff, DiffLine } from './diff.js';
export type { PinMode, PinRecord, PinStatus, PinStore, QuarantineReason } from './types.js';
