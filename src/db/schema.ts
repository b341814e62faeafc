// The ledger and governance tables: the public SQL reporting interface (README, "The ledger: SQL is the reporting interface").
// Columns are snake_case, timestamps are epoch-ms integers named `ts`. Each table is defined in
// src/db/tables/ (one file per group of tables); this file is the one schema drizzle-kit reads
// (drizzle.config.ts) and the one place code imports tables from. Migrations in migrations/ are
// generated from it: change a table in src/db/tables/, then run
// `npx drizzle-kit generate --name <what-changed>`.
export { requests } from './tables/requests.js';
export { llmCalls, toolCalls } from './tables/llm-and-tool-calls.js';
export { payloads, ledgerDeadLetters } from './tables/payloads-and-dead-letters.js';
export { virtualKeys, teams, customers } from './tables/governance.js';
export { toolPins } from './tables/tool-pins.js';
export { mcpApprovals, shownContainers, storedResponses } from './tables/responses.js';
