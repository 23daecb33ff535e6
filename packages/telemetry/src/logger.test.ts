import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { context, trace } from '@opentelemetry/api';
import { pino } from 'pino';
import { createLogger } from './logger.js';
import { startTelemetry } from './sdk.js';

// Registers the async context manager, as every process does at start.
startTelemetry({ serviceName: 'logger-test' });

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(JSON.parse(chunk.toString()));
      done();
    },
  });
  return { lines, stream };
}

describe('logger', () => {
  it('writes the active trace id and redacts PHI-bearing fields', () => {
    const { lines, stream } = capture();
    const log = createLogger({ name: 't' }, stream as unknown as pino.DestinationStream);
    const spanContext = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 };
    context.with(trace.setSpanContext(context.active(), spanContext), () => {
      log.info({ patient: { firstName: 'Ada', lastName: 'Lovelace' }, claim: { memberId: 'W123' } }, 'posted');
    });
    expect(lines[0]).toMatchObject({ msg: 'posted', trace_id: spanContext.traceId, span_id: spanContext.spanId, patient: '[redacted]' });
    expect(JSON.stringify(lines[0])).not.toContain('Lovelace');
    expect(JSON.stringify(lines[0])).not.toContain('W123');
  });
});
