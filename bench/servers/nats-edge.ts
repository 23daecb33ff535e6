// (t1, t2, t3) Hand-written minimal edge: Fastify → one NATS request → the reply's bytes. No auth,
// validation or tracing: the baseline the platform gateway is compared with.
import Fastify from 'fastify';
import { connect } from '@nats-io/transport-node';

const nc = await connect({ servers: process.env.NATS_URL, noAsyncTraces: true });
const subject = process.env.BENCH_SUBJECT!;
const app = Fastify();
app.get('/item/:id', async (request, reply) => {
  const msg = await nc.request(subject, (request.params as { id: string }).id, { timeout: 5000 });
  return reply.type('application/json').send(Buffer.from(msg.data));
});
// (t3): the body goes on as it came (the responder parses it), after the item id and a newline.
app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => done(null, body));
app.post('/item/:id', async (request, reply) => {
  const msg = await nc.request(subject, `${(request.params as { id: string }).id}\n${request.body as string}`, { timeout: 5000 });
  if (msg.data.length === 0) return reply.code(500).send();
  return reply.code(201).type('application/json').send(Buffer.from(msg.data));
});
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
process.stdout.write('ready\n');
