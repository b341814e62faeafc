DROP INDEX `requests_month_surface_cover_idx`;--> statement-breakpoint
DROP INDEX `requests_day_session_cover_idx`;--> statement-breakpoint
CREATE INDEX `requests_month_surface_cover_idx` ON `requests` (`month`,`surface`,`operation`,`cost_usd`);--> statement-breakpoint
CREATE INDEX `requests_day_session_cover_idx` ON `requests` (`day`,`session_id`,`key_id`,`operation`,`rounds`,`tool_calls`,`cost_usd`,`ts`) WHERE "requests"."session_id" IS NOT NULL;