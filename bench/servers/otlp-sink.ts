// Stands in for an OTLP collector so the platform's spans are really recorded, batched and exported.
// With BENCH_SPANS_FILE, each export's JSON body is appended to that file as one line (to see where a
// slow request spent its time: `bench/spans.ts`).
import { appendFileSync } from 'node:fs';
import { createServer } from 'node:http';

const file = process.env.BENCH_SPANS_FILE;
let spansBytes = 0;
createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => {
    spansBytes += chunk.length;
    if (file) chunks.push(chunk);
  });
  req.on('end', () => {
    if (file) appendFileSync(file, `${Buffer.concat(chunks).toString('utf8').replace(/\n/g, ' ')}\n`);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{}');
  });
}).listen(Number(process.env.PORT), '127.0.0.1', () => process.stdout.write('ready\n'));
process.on('SIGTERM', () => {
  process.stderr.write(`otlp sink received ${spansBytes} bytes\n`);
  process.exit(0);
});
