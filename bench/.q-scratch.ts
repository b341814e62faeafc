import Database from 'better-sqlite3';
const d = new Database('/tmp/tg-bench/scratch.db');
const q = process.argv[2]!;
console.log(d.prepare('EXPLAIN QUERY PLAN ' + q).all().map((r: any) => r.detail).join('\n'));
for (let i = 0; i < 3; i++) { const t = performance.now(); const n = d.prepare(q).all().length; if (i===0) console.log(JSON.stringify(d.prepare(q).all().slice(0,5))); console.log(n, (performance.now() - t).toFixed(1)); }
