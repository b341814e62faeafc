DROP INDEX `requests_customer_ts_idx`;--> statement-breakpoint
DROP INDEX `requests_session_idx`;--> statement-breakpoint
CREATE INDEX `requests_session_idx` ON `requests` (`session_id`) WHERE "requests"."session_id" IS NOT NULL;--> statement-breakpoint
DROP INDEX `tool_calls_name_ts_idx`;--> statement-breakpoint
DROP INDEX `tool_calls_key_ts_idx`;