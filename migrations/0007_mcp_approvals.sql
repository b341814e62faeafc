CREATE TABLE `mcp_approvals` (
	`id` text PRIMARY KEY NOT NULL,
	`key_id` text,
	`request_id` text NOT NULL,
	`server_label` text NOT NULL,
	`name` text NOT NULL,
	`arguments` text NOT NULL,
	`call_id` text NOT NULL,
	`ts` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`status` text NOT NULL,
	`decided_at` integer,
	`decided_in` text
);
--> statement-breakpoint
CREATE INDEX `mcp_approvals_expires_idx` ON `mcp_approvals` (`expires_at`);