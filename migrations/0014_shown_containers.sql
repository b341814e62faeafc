CREATE TABLE `shown_containers` (
	`id` text PRIMARY KEY NOT NULL,
	`key_id` text,
	`ts` integer NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `shown_containers_key_ts_idx` ON `shown_containers` (`key_id`,`ts`);--> statement-breakpoint
CREATE INDEX `shown_containers_expires_idx` ON `shown_containers` (`expires_at`);