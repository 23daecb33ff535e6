import { subjectMatches, type Bus, type BusEvent, type ConsumeOptions, type EventOutcome } from '@mso/bus';

/** A durable the service under test consumes with: which producer, which subjects. */
export interface ObservedConsumer {
  producer: string;
  durable: string;
  filter: string;
}

type Settle = (error?: unknown) => void;

/**
 * Wraps the bus a test host runs on, to see what the service does with it: which events it publishes
 * (its outbox relay) and when its consumers have finished with a delivery. A consumer's handler
 * returns only after the kit committed the event's transaction, so "handled" means committed.
 */
export class ObservedBus {
  readonly bus: Bus;
  readonly consumers: ObservedConsumer[] = [];
  private readonly published: BusEvent[] = [];
  private readonly waiting = new Map<string, Settle>();

  constructor(
    private readonly inner: Bus,
    private readonly producer: string,
  ) {
    this.bus = {
      ...inner,
      publish: async (event) => {
        await inner.publish(event);
        if (event.subject.startsWith(`evt.${producer}.`)) this.published.push(event);
      },
      publishMany: async (events) => {
        const outcomes = await inner.publishMany(events);
        for (const [i, event] of events.entries()) {
          if (outcomes[i] === 'ack' && event.subject.startsWith(`evt.${producer}.`)) this.published.push(event);
        }
        return outcomes;
      },
      consume: (options) => this.consume(options),
    };
  }

  /** Events the service published, oldest first, once each (a relay may publish an event again). */
  publishedEvents(): BusEvent[] {
    const seen = new Set<string>();
    return this.published.filter((e) => !seen.has(e.id) && seen.add(e.id));
  }

  /** Consumers of the service that take events of `subject` from `producer`. */
  consumersOf(producer: string, subject: string): ObservedConsumer[] {
    return this.consumers.filter((c) => c.producer === producer && subjectMatches(c.filter, subject));
  }

  /** Resolves when `durable` has handled the bus event `eventId`, rejects with its handler's error. */
  handled(durable: string, eventId: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.set(`${durable}\u0000${eventId}`, (error) => (error === undefined ? resolve() : reject(error)));
    });
  }

  private consume(options: ConsumeOptions) {
    const { producer, durable } = options;
    this.consumers.push({ producer, durable, filter: options.filter ?? `evt.${producer}.>` });
    // One delivery: a failure surfaces in the test that delivered the event, instead of a retry
    // changing state later in the background. Redelivery itself is the bus's, tested there.
    if (options.batch) {
      const batch = options.batch;
      return this.inner.consume({
        ...options,
        maxDeliver: 1,
        batch: {
          ...batch,
          handler: async (events) => {
            let outcomes: EventOutcome[];
            try {
              outcomes = [...((await batch.handler(events)) ?? events.map(() => 'ack' as const))];
            } catch (error) {
              outcomes = events.map(() => ({ error: error ?? new Error('consumer failed') }));
            }
            events.forEach((event, i) => {
              const outcome = outcomes[i] ?? 'ack';
              this.settle(`${durable}\u0000${event.id}`, outcome === 'ack' ? undefined : (outcome.error ?? new Error('consumer failed')));
            });
            return outcomes;
          },
        },
      });
    }
    const handler = options.handler;
    return this.inner.consume({
      ...options,
      maxDeliver: 1,
      handler: async (event) => {
        const key = `${durable}\u0000${event.id}`;
        try {
          await handler(event);
        } catch (error) {
          this.settle(key, error ?? new Error('consumer failed'));
          throw error;
        }
        this.settle(key);
      },
    });
  }

  private settle(key: string, error?: unknown): void {
    const settle = this.waiting.get(key);
    this.waiting.delete(key);
    settle?.(error);
  }
}

