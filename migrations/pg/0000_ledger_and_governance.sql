CREATE TABLE "customers" (
	"id" text PRIMARY KEY NOT NULL,
	"budget_usd" double precision,
	"budget_period" text,
	"source" text NOT NULL,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "llm_calls" (
	"id" serial PRIMARY KEY NOT NULL,
	"request_id" text NOT NULL,
	"ts" bigint NOT NULL,
	"day" text GENERATED ALWAYS AS (lpad(extract(year from make_date(1970, 1, 1) + ("ts" / 86400000)::int)::int::text, 4, '0') || '-' || lpad(extract(month from make_date(1970, 1, 1) + ("ts" / 86400000)::int)::int::text, 2, '0') || '-' || lpad(extract(day from make_date(1970, 1, 1) + ("ts" / 86400000)::int)::int::text, 2, '0')) STORED,
	"round" integer DEFAULT 0 NOT NULL,
	"attempt" integer DEFAULT 0 NOT NULL,
	"provider" text NOT NULL,
	"model" text NOT NULL,
	"status" integer NOT NULL,
	"error_type" text,
	"prompt_tokens" integer DEFAULT 0 NOT NULL,
	"completion_tokens" integer DEFAULT 0 NOT NULL,
	"cached_tokens" integer DEFAULT 0 NOT NULL,
	"cost_usd" double precision,
	"cost_unknown" integer DEFAULT 0 NOT NULL,
	"latency_ms" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "payloads" (
	"id" serial PRIMARY KEY NOT NULL,
	"request_id" text,
	"ts" bigint NOT NULL,
	"kind" text NOT NULL,
	"ref" text,
	"body" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "requests" (
	"id" text PRIMARY KEY NOT NULL,
	"ts" bigint NOT NULL,
	"day" text GENERATED ALWAYS AS (lpad(extract(year from make_date(1970, 1, 1) + ("ts" / 86400000)::int)::int::text, 4, '0') || '-' || lpad(extract(month from make_date(1970, 1, 1) + ("ts" / 86400000)::int)::int::text, 2, '0') || '-' || lpad(extract(day from make_date(1970, 1, 1) + ("ts" / 86400000)::int)::int::text, 2, '0')) STORED,
	"month" text GENERATED ALWAYS AS (lpad(extract(year from make_date(1970, 1, 1) + ("ts" / 86400000)::int)::int::text, 4, '0') || '-' || lpad(extract(month from make_date(1970, 1, 1) + ("ts" / 86400000)::int)::int::text, 2, '0')) STORED,
	"key_id" text,
	"team_id" text,
	"customer_id" text,
	"model" text,
	"provider" text,
	"upstream_model" text,
	"status" integer NOT NULL,
	"error_type" text,
	"error_message" text,
	"stream" integer DEFAULT 0 NOT NULL,
	"rounds" integer DEFAULT 0 NOT NULL,
	"tool_calls" integer DEFAULT 0 NOT NULL,
	"prompt_tokens" integer DEFAULT 0 NOT NULL,
	"completion_tokens" integer DEFAULT 0 NOT NULL,
	"cached_tokens" integer DEFAULT 0 NOT NULL,
	"cost_usd" double precision,
	"cost_unknown" integer DEFAULT 0 NOT NULL,
	"latency_ms" integer DEFAULT 0 NOT NULL,
	"source" text DEFAULT 'chat' NOT NULL
);
--> statement-breakpoint
CREATE TABLE "teams" (
	"id" text PRIMARY KEY NOT NULL,
	"customer_id" text,
	"budget_usd" double precision,
	"budget_period" text,
	"source" text NOT NULL,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "tool_calls" (
	"id" serial PRIMARY KEY NOT NULL,
	"request_id" text,
	"session_id" text,
	"ts" bigint NOT NULL,
	"day" text GENERATED ALWAYS AS (lpad(extract(year from make_date(1970, 1, 1) + ("ts" / 86400000)::int)::int::text, 4, '0') || '-' || lpad(extract(month from make_date(1970, 1, 1) + ("ts" / 86400000)::int)::int::text, 2, '0') || '-' || lpad(extract(day from make_date(1970, 1, 1) + ("ts" / 86400000)::int)::int::text, 2, '0')) STORED,
	"key_id" text,
	"team_id" text,
	"customer_id" text,
	"round" integer,
	"server" text NOT NULL,
	"tool" text NOT NULL,
	"name" text NOT NULL,
	"args_hash" text,
	"status" text NOT NULL,
	"decision" text NOT NULL,
	"reason" text,
	"latency_ms" integer,
	"cost_usd" double precision,
	"error" text
);
--> statement-breakpoint
CREATE TABLE "virtual_keys" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text,
	"key_hash" text NOT NULL,
	"team_id" text,
	"config" text NOT NULL,
	"disabled" integer DEFAULT 0 NOT NULL,
	"expires_at" bigint,
	"source" text NOT NULL,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE INDEX "llm_calls_request_idx" ON "llm_calls" USING btree ("request_id");--> statement-breakpoint
CREATE INDEX "llm_calls_ts_idx" ON "llm_calls" USING btree ("ts");--> statement-breakpoint
CREATE INDEX "llm_calls_day_idx" ON "llm_calls" USING btree ("day");--> statement-breakpoint
CREATE INDEX "payloads_request_idx" ON "payloads" USING btree ("request_id");--> statement-breakpoint
CREATE INDEX "payloads_ts_idx" ON "payloads" USING btree ("ts");--> statement-breakpoint
CREATE INDEX "requests_ts_idx" ON "requests" USING btree ("ts");--> statement-breakpoint
CREATE INDEX "requests_key_ts_idx" ON "requests" USING btree ("key_id","ts");--> statement-breakpoint
CREATE INDEX "requests_team_ts_idx" ON "requests" USING btree ("team_id","ts");--> statement-breakpoint
CREATE INDEX "requests_customer_ts_idx" ON "requests" USING btree ("customer_id","ts");--> statement-breakpoint
CREATE INDEX "requests_model_ts_idx" ON "requests" USING btree ("model","ts");--> statement-breakpoint
CREATE INDEX "requests_day_idx" ON "requests" USING btree ("day");--> statement-breakpoint
CREATE INDEX "requests_month_idx" ON "requests" USING btree ("month");--> statement-breakpoint
CREATE INDEX "tool_calls_request_idx" ON "tool_calls" USING btree ("request_id");--> statement-breakpoint
CREATE INDEX "tool_calls_ts_idx" ON "tool_calls" USING btree ("ts");--> statement-breakpoint
CREATE INDEX "tool_calls_name_ts_idx" ON "tool_calls" USING btree ("name","ts");--> statement-breakpoint
CREATE INDEX "tool_calls_key_ts_idx" ON "tool_calls" USING btree ("key_id","ts");--> statement-breakpoint
CREATE INDEX "tool_calls_day_name_idx" ON "tool_calls" USING btree ("day","name");--> statement-breakpoint
CREATE UNIQUE INDEX "virtual_keys_key_hash_idx" ON "virtual_keys" USING btree ("key_hash");--> statement-breakpoint
CREATE VIEW "public"."cost_by_key_day" AS (SELECT day, key_id, team_id, count(*) AS requests,
  sum(CASE WHEN status >= 400 THEN 1 ELSE 0 END) AS errors,
  sum(prompt_tokens) AS prompt_tokens,
  sum(completion_tokens) AS completion_tokens,
  sum(cost_usd) AS cost_usd,
  sum(CASE WHEN cost_usd IS NULL OR cost_unknown <> 0 THEN 1 ELSE 0 END) AS unknown_cost_requests FROM requests GROUP BY day, key_id, team_id);--> statement-breakpoint
CREATE VIEW "public"."cost_by_model_day" AS (SELECT day, provider, model,
  count(*) AS llm_calls,
  sum(CASE WHEN status = 0 OR status >= 400 THEN 1 ELSE 0 END) AS errors,
  sum(prompt_tokens) AS prompt_tokens,
  sum(completion_tokens) AS completion_tokens,
  sum(cost_usd) AS cost_usd,
  sum(CASE WHEN cost_usd IS NULL OR cost_unknown <> 0 THEN 1 ELSE 0 END) AS unknown_cost_calls
FROM llm_calls
GROUP BY day, provider, model);--> statement-breakpoint
CREATE VIEW "public"."cost_by_team_month" AS (SELECT month, team_id, customer_id, count(*) AS requests,
  sum(CASE WHEN status >= 400 THEN 1 ELSE 0 END) AS errors,
  sum(prompt_tokens) AS prompt_tokens,
  sum(completion_tokens) AS completion_tokens,
  sum(cost_usd) AS cost_usd,
  sum(CASE WHEN cost_usd IS NULL OR cost_unknown <> 0 THEN 1 ELSE 0 END) AS unknown_cost_requests FROM requests GROUP BY month, team_id, customer_id);--> statement-breakpoint
CREATE VIEW "public"."tool_usage_day" AS (SELECT day, server, tool, name, calls, errors, denials, avg_latency_ms,
  CASE WHEN timed > 0 THEN latency_ms END AS p50_latency_ms,
  cost_usd
FROM (
  SELECT day, server, tool, name, latency_ms,
    count(*) OVER w AS calls,
    sum(CASE WHEN decision = 'allowed' AND status <> 'ok' THEN 1 ELSE 0 END) OVER w AS errors,
    sum(CASE WHEN decision = 'denied' THEN 1 ELSE 0 END) OVER w AS denials,
    (avg(CASE WHEN decision = 'allowed' THEN latency_ms END) OVER w)::float8 AS avg_latency_ms,
    count(CASE WHEN decision = 'allowed' THEN latency_ms END) OVER w AS timed,
    sum(cost_usd) OVER w AS cost_usd,
    row_number() OVER (PARTITION BY day, name
      ORDER BY (decision = 'allowed' AND latency_ms IS NOT NULL) DESC, latency_ms) AS rn
  FROM tool_calls
  WINDOW w AS (PARTITION BY day, name)
) AS t
WHERE rn = greatest(1, (timed + 1) / 2));