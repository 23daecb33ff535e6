import { describe, expect, it } from 'vitest';
import { batchOptionsFromEnv, DEFAULT_BATCH_OPTIONS } from './sdk.js';

describe('the span batch settings', () => {
  it('sends small batches soon when nothing is configured', () => {
    expect(batchOptionsFromEnv({})).toEqual(DEFAULT_BATCH_OPTIONS);
    expect(batchOptionsFromEnv({ OTEL_BSP_SCHEDULE_DELAY: '' })).toEqual(DEFAULT_BATCH_OPTIONS);
  });

  it('takes the standard OTEL_BSP_* variables over the defaults', () => {
    expect(batchOptionsFromEnv({ OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '512', OTEL_BSP_SCHEDULE_DELAY: '5000', OTEL_BSP_MAX_QUEUE_SIZE: '4096' })).toEqual({
      maxExportBatchSize: 512,
      scheduledDelayMillis: 5000,
      maxQueueSize: 4096,
    });
  });

  it('refuses a value that is not a positive whole number, naming the variable', () => {
    expect(() => batchOptionsFromEnv({ OTEL_BSP_SCHEDULE_DELAY: 'soon' })).toThrow(/OTEL_BSP_SCHEDULE_DELAY must be a positive integer, got "soon"/);
    expect(() => batchOptionsFromEnv({ OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '0' })).toThrow(/OTEL_BSP_MAX_EXPORT_BATCH_SIZE/);
  });
});
