CREATE TABLE "ledger_dead_letters" (
	"id" serial PRIMARY KEY NOT NULL,
	"ts" bigint NOT NULL,
	"table_name" text NOT NULL,
	"row" text NOT NULL,
	"error" text NOT NULL
);
--> statement-breakpoint
CREATE INDEX "ledger_dead_letters_ts_idx" ON "ledger_dead_letters" USING btree ("ts");