// (t1) answers a static JSON document; (t2) reads one row by primary key from Postgres first.
import { connect } from '@nats-io/transport-node';
import postgres from 'postgres';

const nc = await connect({ servers: process.env.NATS_URL, noAsyncTraces: true });
const mode = process.env.BENCH_MODE ?? 'static';
const encoder = new TextEncoder();
const decoder = new TextDecoder();
// A few one-connection clients, used round robin: postgres.js' own pool slows down under sustained
// load (its queues grow), and this is the fair hand-written equivalent of the platform's driver setup.
const clients = mode === 'pg' ? Array.from({ length: 4 }, () => postgres(process.env.DATABASE_URL!, { max: 1, prepare: true })) : [];
let next = 0;
const sub = nc.subscribe(process.env.BENCH_SUBJECT!, { queue: 'bench' });
process.stdout.write('ready\n');
for await (const msg of sub) {
  if (mode === 'pg') {
    const sql = clients[next++ % clients.length]!;
    const id = decoder.decode(msg.data);
    sql`select id, name, npi, state, created_at from bench_items where id = ${id}`.then(
      (rows) => msg.respond(encoder.encode(JSON.stringify(rows[0] ?? null))),
      () => msg.respond(encoder.encode('null')),
    );
  } else {
    msg.respond(encoder.encode('{"service":"bench","version":"1.0.0"}'));
  }
}
