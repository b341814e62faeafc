CREATE TABLE `stored_responses` (
	`id` text PRIMARY KEY NOT NULL,
	`key_id` text,
	`provider` text,
	`response` text,
	`messages` text,
	`ts` integer NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `stored_responses_key_ts_idx` ON `stored_responses` (`key_id`,`ts`);--> statement-breakpoint
CREATE INDEX `stored_responses_expires_idx` ON `stored_responses` (`expires_at`);