CREATE TABLE "stored_responses" (
	"id" text PRIMARY KEY NOT NULL,
	"key_id" text,
	"provider" text,
	"response" text,
	"messages" text,
	"ts" bigint NOT NULL,
	"expires_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE INDEX "stored_responses_key_ts_idx" ON "stored_responses" USING btree ("key_id","ts");--> statement-breakpoint
CREATE INDEX "stored_responses_expires_idx" ON "stored_responses" USING btree ("expires_at");