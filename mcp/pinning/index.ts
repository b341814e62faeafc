// Tool-definition pinning: drift quarantine and first-sight injection scanning for MCP tools.
export { PinnedTools } from './pinned-tools.js';
export type { PinCounts, PinSource, PinnedToolsOptions, ReviewResult } from './pinned-tools.js';
export type { PinView } from './pin-view.js';
export type { ReviewError } from './evaluate.js';
export { canonicalDefinition, canonicalJson } from './canonical.js';
export { scanText, scanTool } from './injection-scan.js';
export type { InjectionFlag } from './injection-scan.js';
export { diffDefinitions } from './diff.js';
export type { DefinitionDiff, DiffLine } from './diff.js';
export { memoryPinStore, pinKey } from './types.js';
export type { PinMode, PinRecord, PinStatus, PinStore, QuarantineReason } from './types.js';
