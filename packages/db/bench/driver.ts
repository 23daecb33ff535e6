/**
 * Sustained-load check of the PostgreSQL driver setup: primary-key selects through drizzle, 64 in
 * flight, several back-to-back runs. Reports statements/s and client CPU per statement for each run;
 * a setup whose numbers drift run after run degrades under load.
 *
 *   node --import tsx bench/driver.ts [set|set1|pool] [runs=5] [seconds=10]
 *
 * set  = openDatabase() (default connections), set1 = openDatabase({ maxConnections: 1 }),
 * pool = drizzle over one postgres.js client with max 10 (for comparison).
 */
import { eq, sql } from 'drizzle-orm';
import { integer, pgTable, text } from 'drizzle-orm/pg-core';
import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { openDatabase, type Db } from '../src/index.js';

const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const [mode = 'set', runsArg = '5', secondsArg = '10'] = process.argv.slice(2);
const runs = Number(runsArg);
const seconds = Number(secondsArg);
const inFlight = 64;

const kv = pgTable('mso_db_bench_kv', { id: integer('id').primaryKey(), v: text('v').notNull() });

let db: Db;
let close: () => Promise<unknown>;
if (mode === 'pool') {
  const client = postgres(url, { max: 10, prepare: true, onnotice: () => {} });
  db = drizzle({ client }) as unknown as Db;
  close = () => client.end();
} else {
  const database = await openDatabase({ url, ...(mode === 'set1' ? { maxConnections: 1 } : {}) });
  db = database.db;
  close = () => database.close();
}

await db.execute(sql`create table if not exists mso_db_bench_kv (id int primary key, v text not null)`);
await db.execute(sql`insert into mso_db_bench_kv select g, 'v' || g from generate_series(1, 1000) g on conflict do nothing`);

for (let run = 0; run < runs; run++) {
  let count = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  const end = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (performance.now() < end) {
        const [row] = await db.select().from(kv).where(eq(kv.id, (count % 1000) + 1));
        if (!row) throw new Error('missing row');
        count++;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  const cpuMicros = (used.user + used.system) / count;
  console.log(`${mode} run ${run}: ${Math.round(count / elapsed)} statements/s, ${cpuMicros.toFixed(1)} µs client CPU/statement`);
}
await close();
