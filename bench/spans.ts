// Where the platform's slow requests spend their time, from the spans the bench's OTLP sink wrote
// (BENCH_SPANS_FILE). Usage:
//   BENCH_SPANS_FILE=/tmp/spans.jsonl BENCH_ONLY=t2,c BENCH_WINDOWS=1 pnpm bench
//   node --import tsx bench/spans.ts /tmp/spans.jsonl [seconds, default 15: the last window only]
// For each sampled request through the gateway: its HTTP span, the bus client span in the gateway,
// the service's server span and the service's database spans. Printed per percentile of the HTTP
// span: the mean of each part over the requests at or above it.
import { readFileSync } from 'node:fs';

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
}
interface Span {
  service: string;
  name: string;
  kind: number;
  spanId: string;
  parent: string | undefined;
  start: number;
  end: number;
}

const [file, seconds = '15'] = process.argv.slice(2);
if (!file) throw new Error('usage: spans.ts <file> [seconds]');
const traces = new Map<string, Span[]>();
for (const line of readFileSync(file, 'utf8').split('\n')) {
  if (!line.trim()) continue;
  const body = JSON.parse(line) as { resourceSpans: { resource: { attributes: { key: string; value: { stringValue?: string } }[] }; scopeSpans: { spans: OtlpSpan[] }[] }[] };
  for (const rs of body.resourceSpans) {
    const service = rs.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue ?? '?';
    for (const ss of rs.scopeSpans) {
      for (const s of ss.spans) {
        const span: Span = { service, name: s.name, kind: s.kind, spanId: s.spanId, parent: s.parentSpanId || undefined, start: Number(BigInt(s.startTimeUnixNano) / 1000n) / 1000, end: Number(BigInt(s.endTimeUnixNano) / 1000n) / 1000 };
        const list = traces.get(s.traceId) ?? [];
        list.push(span);
        traces.set(s.traceId, list);
      }
    }
  }
}

const SERVER = 2;
const CLIENT = 3;
interface Parts {
  total: number;
  beforeCall: number;
  busRoundTrip: number;
  inService: number;
  database: number;
  afterCall: number;
}
const rows: (Parts & { at: number })[] = [];
for (const spans of traces.values()) {
  const root = spans.find((s) => !s.parent && s.kind === SERVER);
  if (!root || !root.service.endsWith('gateway')) continue;
  const client = spans.filter((s) => s.kind === CLIENT && s.service === root.service).sort((a, b) => a.start - b.start)[0];
  const server = spans.find((s) => s.kind === SERVER && s.service !== root.service);
  if (!client || !server) continue;
  const database = spans.filter((s) => s.service === server.service && s.kind === CLIENT).reduce((sum, s) => sum + (s.end - s.start), 0);
  rows.push({
    at: root.start,
    total: root.end - root.start,
    beforeCall: client.start - root.start,
    busRoundTrip: client.end - client.start - (server.end - server.start),
    inService: server.end - server.start - database,
    database,
    afterCall: root.end - client.end,
  });
}
const last = Math.max(...rows.map((r) => r.at));
const window = rows.filter((r) => r.at >= last - Number(seconds) * 1000).sort((a, b) => a.total - b.total);
console.log(`${window.length} sampled requests in the last ${seconds} s (of ${rows.length})`);
const keys = ['total', 'beforeCall', 'busRoundTrip', 'inService', 'database', 'afterCall'] as const;
console.log(`| from percentile | n | ${keys.join(' | ')} |`);
console.log(`|---|---|${keys.map(() => '---').join('|')}|`);
for (const q of [0, 0.5, 0.9, 0.99, 0.999]) {
  const tail = window.slice(Math.floor(q * window.length));
  const mean = (k: (typeof keys)[number]) => (tail.reduce((sum, r) => sum + r[k], 0) / tail.length).toFixed(2);
  console.log(`| p${q * 100} | ${tail.length} | ${keys.map(mean).join(' | ')} |`);
}
