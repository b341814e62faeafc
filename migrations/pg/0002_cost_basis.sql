ALTER TABLE "llm_calls" ADD COLUMN "cost_basis" text DEFAULT 'usage' NOT NULL;--> statement-breakpoint
ALTER TABLE "requests" ADD COLUMN "cost_basis" text DEFAULT 'usage' NOT NULL;