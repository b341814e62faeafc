import Database from 'better-sqlite3';
const d = new Database('/tmp/tg-bench/scratch.db');
d.exec(`CREATE INDEX IF NOT EXISTS tc_p50 ON tool_calls(day, name, decision, latency_ms);
DROP VIEW IF EXISTS tu2;
CREATE VIEW tu2 AS SELECT day, server, tool, name,
  count(*) AS calls,
  sum(CASE WHEN decision = 'allowed' AND status <> 'ok' THEN 1 ELSE 0 END) AS errors,
  sum(CASE WHEN decision = 'denied' THEN 1 ELSE 0 END) AS denials,
  avg(CASE WHEN decision = 'allowed' THEN latency_ms END) AS avg_latency_ms,
  (SELECT p.latency_ms FROM tool_calls AS p WHERE p.day = t.day AND p.name = t.name AND p.decision = 'allowed' AND p.latency_ms IS NOT NULL
    ORDER BY p.latency_ms LIMIT 1 OFFSET (count(CASE WHEN t.decision = 'allowed' THEN t.latency_ms END) - 1) / 2) AS p50_latency_ms,
  sum(cost_usd) AS cost_usd
FROM tool_calls AS t
GROUP BY day, name, server, tool;`);
d.exec('ANALYZE');
