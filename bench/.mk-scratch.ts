import Database from 'better-sqlite3';
const d = new Database('/tmp/tg-bench/scratch.db');
d.exec(`DROP VIEW IF EXISTS tu2;
CREATE VIEW tu2 AS SELECT day, server, tool, name, calls, errors, denials, avg_latency_ms,
  (SELECT p.latency_ms FROM tool_calls AS p WHERE p.day = g.day AND p.name = g.name AND p.decision = 'allowed' AND p.latency_ms IS NOT NULL
    ORDER BY p.latency_ms LIMIT 1 OFFSET (g.timed - 1) / 2) AS p50_latency_ms,
  cost_usd
FROM (SELECT day, server, tool, name,
  count(*) AS calls,
  sum(CASE WHEN decision = 'allowed' AND status <> 'ok' THEN 1 ELSE 0 END) AS errors,
  sum(CASE WHEN decision = 'denied' THEN 1 ELSE 0 END) AS denials,
  avg(CASE WHEN decision = 'allowed' THEN latency_ms END) AS avg_latency_ms,
  count(CASE WHEN decision = 'allowed' THEN latency_ms END) AS timed,
  sum(cost_usd) AS cost_usd
FROM tool_calls GROUP BY day, name, server, tool) AS g;`);
