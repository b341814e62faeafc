ALTER TABLE "requests" ADD COLUMN "surface" text DEFAULT 'chat' NOT NULL;--> statement-breakpoint
ALTER TABLE "requests" ADD COLUMN "session_id" text;--> statement-breakpoint
CREATE INDEX "requests_session_idx" ON "requests" USING btree ("session_id");--> statement-breakpoint
CREATE VIEW "public"."cost_by_session" AS (SELECT session_id, key_id, team_id, surface,
  min(ts) AS first_ts,
  max(ts) AS last_ts,
  count(*) AS requests,
  sum(CASE WHEN status >= 400 THEN 1 ELSE 0 END) AS errors,
  sum(prompt_tokens) AS prompt_tokens,
  sum(completion_tokens) AS completion_tokens,
  sum(cost_usd) AS cost_usd,
  sum(CASE WHEN cost_usd IS NULL OR cost_unknown <> 0 THEN 1 ELSE 0 END) AS unknown_cost_requests
FROM requests
WHERE session_id IS NOT NULL
GROUP BY session_id, key_id, team_id, surface);