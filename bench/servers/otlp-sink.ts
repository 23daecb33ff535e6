// Stands in for an OTLP collector so the platform's spans are really recorded, batched and exported.
import { createServer } from 'node:http';

let spansBytes = 0;
createServer((req, res) => {
  req.on('data', (chunk: Buffer) => (spansBytes += chunk.length));
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{}');
  });
}).listen(Number(process.env.PORT), '127.0.0.1', () => process.stdout.write('ready\n'));
process.on('SIGTERM', () => {
  process.stderr.write(`otlp sink received ${spansBytes} bytes\n`);
  process.exit(0);
});
