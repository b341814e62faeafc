// The PostgreSQL twin of src/db/schema.ts: same tables, same snake_case columns, same meaning, so
// reporting SQL and the views read the same on both. Differences are only what the dialect needs:
// `ts` is bigint (epoch ms), money is double precision (SQLite's REAL), and `day`/`month` are
// STORED generated columns built from immutable functions only (to_char() is not immutable, so
// the date is taken apart with extract()). Migrations in migrations/pg/ come from this file:
//   npx drizzle-kit generate --config drizzle.pg.config.ts --name <what-changed>
//
// Each table is defined in src/db/pg/tables/ (the same files as src/db/tables/); this file is the
// one schema drizzle-kit reads (drizzle.pg.config.ts) and the one place code imports tables from.
export { requests } from './tables/requests.js';
export { llmCalls, toolCalls } from './tables/llm-and-tool-calls.js';
export { payloads, ledgerDeadLetters } from './tables/payloads-and-dead-letters.js';
export { virtualKeys, teams, customers } from './tables/governance.js';
export { toolPins } from './tables/tool-pins.js';
export { mcpApprovals, shownContainers, storedResponses } from './tables/responses.js';
