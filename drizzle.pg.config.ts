// drizzle-kit config for the PostgreSQL store (TOLLGATE_DB=postgres://…); the SQLite one is
// drizzle.config.ts. Generate after changing a table in src/db/pg/tables/ or views.ts:
//   npx drizzle-kit generate --config drizzle.pg.config.ts --name <what-changed>
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: ['./src/db/pg/schema.ts', './src/db/pg/views.ts'],
  out: './migrations/pg',
});
