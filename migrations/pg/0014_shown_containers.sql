CREATE TABLE "shown_containers" (
	"id" text PRIMARY KEY NOT NULL,
	"key_id" text,
	"ts" bigint NOT NULL,
	"expires_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE INDEX "shown_containers_key_ts_idx" ON "shown_containers" USING btree ("key_id","ts");--> statement-breakpoint
CREATE INDEX "shown_containers_expires_idx" ON "shown_containers" USING btree ("expires_at");