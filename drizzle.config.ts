// drizzle-kit reads this to generate migrations/ from the schema:
//   npx drizzle-kit generate --name <what-changed>
// Generated SQL is never edited by hand; views and tables both come from the TS definitions.
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'sqlite',
  schema: ['./src/db/schema.ts', './src/db/views.ts'],
  out: './migrations',
});
