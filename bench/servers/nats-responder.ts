// (t1) answers a static JSON document; (t2) reads one row by primary key from Postgres first; (t3)
// inserts a row and publishes its event to JetStream (waiting for the stream's ack), then answers it.
import { randomUUID } from 'node:crypto';
import { connect } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import postgres from 'postgres';

const nc = await connect({ servers: process.env.NATS_URL, noAsyncTraces: true });
const mode = process.env.BENCH_MODE ?? 'static';
const subject = process.env.BENCH_SUBJECT!;
const encoder = new TextEncoder();
const decoder = new TextDecoder();
// A few one-connection clients, used round robin: postgres.js' own pool slows down under sustained
// load (its queues grow), and this is the fair hand-written equivalent of the platform's driver setup.
const clients = mode === 'static' ? [] : Array.from({ length: 4 }, () => postgres(process.env.DATABASE_URL!, { max: 1, prepare: true }));
let next = 0;
const events = `${subject}.evt`;
const js = jetstream(nc);
if (mode === 'write') {
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name: subject.replace(/\W/g, '_').toUpperCase(), subjects: [events] });
}

interface NewLocation {
  name: string;
  line1: string;
  city: string;
  state: string;
  postalCode: string;
}

async function write(practiceId: string, body: NewLocation): Promise<Uint8Array> {
  const sql = clients[next++ % clients.length]!;
  const location = { id: randomUUID(), practiceId, ...body, createdAt: new Date().toISOString() };
  await sql`insert into bench_locations (id, practice_id, name, line1, city, state, postal_code, created_at)
            values (${location.id}, ${practiceId}, ${body.name}, ${body.line1}, ${body.city}, ${body.state}, ${body.postalCode}, ${location.createdAt})`;
  const data = encoder.encode(JSON.stringify(location));
  await js.publish(events, data, { msgID: location.id });
  return data;
}

const sub = nc.subscribe(subject, { queue: 'bench' });
process.stdout.write('ready\n');
for await (const msg of sub) {
  if (mode === 'pg') {
    const sql = clients[next++ % clients.length]!;
    const id = decoder.decode(msg.data);
    sql`select id, name, npi, state, created_at from bench_items where id = ${id}`.then(
      (rows) => msg.respond(encoder.encode(JSON.stringify(rows[0] ?? null))),
      () => msg.respond(encoder.encode('null')),
    );
  } else if (mode === 'write') {
    // The edge sends `<item id>\n<JSON body>`.
    const text = decoder.decode(msg.data);
    const cut = text.indexOf('\n');
    write(text.slice(0, cut), JSON.parse(text.slice(cut + 1)) as NewLocation).then(
      (data) => msg.respond(data),
      () => msg.respond(), // empty: the edge answers 500, and the bench stops as the scenario is broken
    );
  } else {
    msg.respond(encoder.encode('{"service":"bench","version":"1.0.0"}'));
  }
}
