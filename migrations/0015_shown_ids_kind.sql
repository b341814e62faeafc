DROP INDEX `shown_containers_key_ts_idx`;--> statement-breakpoint
ALTER TABLE `shown_containers` ADD `kind` text DEFAULT 'container' NOT NULL;--> statement-breakpoint
CREATE INDEX `shown_containers_key_kind_ts_idx` ON `shown_containers` (`key_id`,`kind`,`ts`);