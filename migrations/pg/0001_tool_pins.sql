CREATE TABLE "tool_pins" (
	"server" text NOT NULL,
	"tool" text NOT NULL,
	"hash" text,
	"definition" text,
	"status" text NOT NULL,
	"flags" text DEFAULT '[]' NOT NULL,
	"pending_hash" text,
	"pending_definition" text,
	"first_seen" bigint NOT NULL,
	"updated" bigint NOT NULL,
	"approved_by" text,
	"approved_at" bigint,
	"blocked_by" text,
	"blocked_at" bigint,
	CONSTRAINT "tool_pins_server_tool_pk" PRIMARY KEY("server","tool")
);
--> statement-breakpoint
CREATE INDEX "tool_pins_status_idx" ON "tool_pins" USING btree ("status");