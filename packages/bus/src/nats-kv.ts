import { DeliverPolicy, JetStreamApiCodes } from '@nats-io/jetstream';
import { apiCode, assertKey, type NatsContext } from './nats-shared.js';
import type { KeyValue, KvEntry } from './types.js';
import { assertName, withPrefix } from './util.js';

/** Key-value buckets of a NATS bus over JetStream KV. */
export function createNatsKv(ctx: NatsContext) {
  const { js, kvm, logger, kvPrefix, buckets, watchers, ensureOpen } = ctx;

  async function kv(name: string): Promise<KeyValue> {
    ensureOpen();
    assertName('bucket', name);
    const bucketName = withPrefix(kvPrefix, '_', name);
    let opened = buckets.get(bucketName);
    if (!opened) {
      opened = kvm.create(bucketName, { history: 1 });
      buckets.set(bucketName, opened);
      opened.catch(() => buckets.delete(bucketName));
    }
    const store = await opened;
    const isConflict = (err: unknown): boolean => {
      const code = apiCode(err);
      return code === JetStreamApiCodes.StreamWrongLastSequence || code === 10164;
    };

    return {
      async get(key) {
        ensureOpen();
        assertKey(key);
        const e = await store.get(key);
        if (!e) return null;
        const deleted = e.operation === 'DEL' || e.operation === 'PURGE';
        return { key, value: deleted ? null : e.value, revision: e.revision };
      },
      async put(key, value) {
        ensureOpen();
        assertKey(key);
        return store.put(key, value);
      },
      async update(key, value, revision) {
        ensureOpen();
        assertKey(key);
        try {
          return revision === 0 ? await store.create(key, value) : await store.update(key, value, revision);
        } catch (err) {
          if (isConflict(err)) return null;
          throw err;
        }
      },
      async delete(key) {
        ensureOpen();
        assertKey(key);
        await store.delete(key);
      },
      async keys() {
        ensureOpen();
        const out: string[] = [];
        for await (const k of await store.keys()) out.push(k);
        return out;
      },
      async watch(onEntry, onReady) {
        ensureOpen();
        const prefix = `$KV.${bucketName}.`;
        const pc = await js.consumers.getPushConsumer(`KV_${bucketName}`, {
          filter_subjects: `${prefix}>`,
          deliver_policy: DeliverPolicy.LastPerSubject,
        });
        const info = await pc.info(true);
        let initial = info.num_pending;
        let ready = false;
        const signalReady = (): void => {
          ready = true;
          try {
            onReady?.();
          } catch (err) {
            logger?.error({ err }, 'kv watch callback failed');
          }
        };
        const iter = await pc.consume({
          callback: (m) => {
            const op = m.headers?.get('KV-Operation') ?? '';
            const deleted = op === 'DEL' || op === 'PURGE';
            const entry: KvEntry = { key: m.subject.slice(prefix.length), value: deleted ? null : m.data, revision: m.seq };
            if (!ready) initial -= 1;
            if (ready || !deleted) {
              try {
                onEntry(entry);
              } catch (err) {
                logger?.error({ err }, 'kv watch callback failed');
              }
            }
            if (!ready && initial <= 0) signalReady();
          },
        });
        if (initial <= 0) queueMicrotask(signalReady);
        const handle = {
          async stop() {
            watchers.delete(handle);
            await iter.close().catch(() => undefined);
          },
        };
        watchers.add(handle);
        return handle;
      },
    };
  }

  return { kv };
}
