import { BusError, type BusLogger, type KeyValue, type KvEntry } from './types.js';
import { assertName } from './util.js';

/** KV for the in-process bus: revisions, compare-and-set and watch. */

interface Bucket {
  seq: number;
  entries: Map<string, { value: Uint8Array | null; revision: number }>;
  watchers: Set<(entry: KvEntry) => void>;
}

const KV_KEY = /^[-/_=.a-zA-Z0-9]+$/;

function assertKey(key: string): void {
  if (!KV_KEY.test(key) || key.startsWith('.') || key.endsWith('.')) {
    throw new BusError('invalid', `invalid key '${key}'`);
  }
}

export function createMemoryKv(
  ensureOpen: () => void,
  logger: BusLogger | undefined,
  watchers: Set<{ stop(): Promise<void> }>,
): (name: string) => Promise<KeyValue> {
  const buckets = new Map<string, Bucket>();

  async function kv(name: string): Promise<KeyValue> {
    ensureOpen();
    assertName('bucket', name);
    let bucket = buckets.get(name);
    if (!bucket) {
      bucket = { seq: 0, entries: new Map(), watchers: new Set() };
      buckets.set(name, bucket);
    }
    const b = bucket;

    function write(key: string, value: Uint8Array | null): number {
      b.seq += 1;
      const entry = { value: value ? value.slice() : null, revision: b.seq };
      b.entries.set(key, entry);
      for (const w of b.watchers) w({ key, value: entry.value ? entry.value.slice() : null, revision: entry.revision });
      return entry.revision;
    }

    return {
      async get(key) {
        ensureOpen();
        assertKey(key);
        const e = b.entries.get(key);
        return e ? { key, value: e.value ? e.value.slice() : null, revision: e.revision } : null;
      },
      async put(key, value) {
        ensureOpen();
        assertKey(key);
        return write(key, value);
      },
      async update(key, value, revision) {
        ensureOpen();
        assertKey(key);
        const e = b.entries.get(key);
        if (revision === 0) {
          if (e && e.value !== null) return null;
          return write(key, value);
        }
        if (!e || e.revision !== revision) return null;
        return write(key, value);
      },
      async delete(key) {
        ensureOpen();
        assertKey(key);
        write(key, null);
      },
      async keys() {
        ensureOpen();
        return [...b.entries].filter(([, e]) => e.value !== null).map(([k]) => k);
      },
      async watch(onEntry, onReady) {
        ensureOpen();
        const queue: Array<KvEntry | 'ready'> = [...b.entries]
          .filter(([, e]) => e.value !== null)
          .sort(([, x], [, y]) => x.revision - y.revision)
          .map(([key, e]) => ({ key, value: e.value ? e.value.slice() : null, revision: e.revision }));
        queue.push('ready');
        let active = true;
        let draining = false;
        const drain = (): void => {
          if (draining) return;
          draining = true;
          queueMicrotask(() => {
            draining = false;
            while (active && queue.length > 0) {
              const item = queue.shift();
              try {
                if (item === 'ready') onReady?.();
                else if (item) onEntry(item);
              } catch (err) {
                logger?.error({ err }, 'kv watch callback failed');
              }
            }
          });
        };
        const watcher = (entry: KvEntry): void => {
          queue.push(entry);
          drain();
        };
        b.watchers.add(watcher);
        drain();
        const handle = {
          async stop() {
            active = false;
            b.watchers.delete(watcher);
            watchers.delete(handle);
          },
        };
        watchers.add(handle);
        return handle;
      },
    };
  }

  return kv;
}
