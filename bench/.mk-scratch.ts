import Database from 'better-sqlite3';
const d = new Database('/tmp/tg-bench/scratch.db');
d.exec(`ALTER TABLE requests ADD COLUMN month text GENERATED ALWAYS AS (strftime('%Y-%m', "ts" / 1000, 'unixepoch')) VIRTUAL;
CREATE INDEX rm ON requests(month);
CREATE VIEW m2 AS SELECT month, team_id, customer_id, count(*) AS requests, sum(cost_usd) AS cost_usd FROM requests GROUP BY month, team_id, customer_id;`);
