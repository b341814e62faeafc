DROP INDEX `llm_calls_day_idx`;--> statement-breakpoint
CREATE INDEX `llm_calls_day_model_cover_idx` ON `llm_calls` (`day`,`provider`,`model`,`status`,`prompt_tokens`,`completion_tokens`,`cost_usd`,`cost_unknown`);--> statement-breakpoint
DROP INDEX `requests_day_idx`;--> statement-breakpoint
DROP INDEX `requests_month_idx`;--> statement-breakpoint
CREATE INDEX `requests_day_key_cover_idx` ON `requests` (`day`,`key_id`,`team_id`,`status`,`prompt_tokens`,`completion_tokens`,`cost_usd`,`cost_unknown`);--> statement-breakpoint
CREATE INDEX `requests_month_team_cover_idx` ON `requests` (`month`,`team_id`,`customer_id`,`status`,`prompt_tokens`,`completion_tokens`,`cost_usd`,`cost_unknown`);--> statement-breakpoint
DROP INDEX `tool_calls_day_name_idx`;--> statement-breakpoint
CREATE INDEX `tool_calls_day_name_cover_idx` ON `tool_calls` (`day`,`name`,`kind`,`decision`,`status`,`latency_ms`,`cost_usd`,`server`,`tool`,`key_id`,`reason`);