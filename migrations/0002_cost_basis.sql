ALTER TABLE `llm_calls` ADD `cost_basis` text DEFAULT 'usage' NOT NULL;--> statement-breakpoint
ALTER TABLE `requests` ADD `cost_basis` text DEFAULT 'usage' NOT NULL;