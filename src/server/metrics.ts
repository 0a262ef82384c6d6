/**
 * Prometheus metrics (prom-client): what a person watching taskwire needs — polls and items by
 * connector, webhook deliveries by result and how fast they were acknowledged, the inbox's and the
 * outbox's depth, age and dead letters, items that keep failing, open flags by kind, each tool's
 * remaining rate budget, and how far behind each connector is. Gauges read the store and connectors when scraped.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Connector, ConnectorStats } from '../../connectors/port.js';
import type { FlagCode } from '../core/model.js';
import type { TaskStore } from '../store/store.js';

export class Metrics {
  readonly registry = new Registry();
  readonly polls: Counter<'connector' | 'result'>;
  readonly items: Counter<'connector'>;
  readonly deliveries: Counter<'connector' | 'result'>;
  readonly ack: Histogram;
  readonly followups: Counter<'connector' | 'result'>;

  constructor(deps: { store: TaskStore; connectors: ReadonlyMap<string, Connector>; openFlags: () => readonly { code: FlagCode }[]; lastSync: () => ReadonlyMap<string, number | null>; now: () => number }) {
    const r = this.registry;
    this.polls = new Counter({ name: 'taskwire_polls_total', help: 'Polls per connector by result', labelNames: ['connector', 'result'], registers: [r] });
    this.items = new Counter({ name: 'taskwire_items_ingested_total', help: 'Items ingested per connector (polls and webhooks)', labelNames: ['connector'], registers: [r] });
    this.deliveries = new Counter({ name: 'taskwire_webhook_deliveries_total', help: 'Webhook deliveries by connector and result', labelNames: ['connector', 'result'], registers: [r] });
    this.ack = new Histogram({ name: 'taskwire_webhook_ack_seconds', help: 'Time from a webhook arriving to its acknowledgement', buckets: [0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 1], registers: [r] });
    this.followups = new Counter({ name: 'taskwire_followups_total', help: 'Follow-ups dispatched by connector and result', labelNames: ['connector', 'result'], registers: [r] });
    const gauge = (name: string, help: string, read: () => Promise<number>) =>
      new Gauge({
        name,
        help,
        registers: [r],
        async collect() {
          this.set(await read());
        },
      });
    gauge('taskwire_outbox_depth', 'Follow-ups waiting to be sent', async () => (await deps.store.outbox.depth()).pending);
    gauge('taskwire_outbox_oldest_age_seconds', 'Age of the oldest follow-up waiting to be sent', async () => (await deps.store.outbox.depth()).oldestAgeSeconds);
    gauge('taskwire_outbox_dead_letters', 'Follow-ups that could not be sent (taskwire outbox --dead)', async () => (await deps.store.outbox.depth()).dead);
    gauge('taskwire_inbox_depth', 'Webhook deliveries stored and not yet processed (waiting, in progress or to be retried)', async () => (await deps.store.inbox.depth()).waiting);
    gauge('taskwire_inbox_oldest_age_seconds', 'Age of the oldest delivery not yet processed', async () => (await deps.store.inbox.depth()).oldestAgeSeconds);
    gauge('taskwire_inbox_dead_letters', 'Deliveries that could not be processed (taskwire inbox --dead)', async () => (await deps.store.inbox.depth()).dead);
    new Gauge({
      name: 'taskwire_failing_items',
      help: 'Items whose detail keeps failing, retried on later cycles (taskwire health)',
      labelNames: ['connector'],
      registers: [r],
      async collect() {
        this.reset();
        const counts = new Map<string, number>();
        for (const f of await deps.store.itemFailures()) counts.set(f.connector, (counts.get(f.connector) ?? 0) + 1);
        for (const [connector, n] of counts) this.set({ connector }, n);
      },
    });
    new Gauge({
      name: 'taskwire_lease_acquired_timestamp_seconds',
      help: 'Since when each held lease (a connector poll, the evaluator) has been held, by lease and holding replica',
      labelNames: ['lease', 'holder'],
      registers: [r],
      async collect() {
        this.reset();
        for (const l of await deps.store.leases.list()) if (l.live) this.set({ lease: l.name, holder: l.holder }, Date.parse(l.acquiredAt) / 1000);
      },
    });
    new Gauge({
      name: 'taskwire_open_flags',
      help: 'Open flags by kind',
      labelNames: ['code'],
      registers: [r],
      collect() {
        this.reset();
        const counts = new Map<string, number>();
        for (const f of deps.openFlags()) counts.set(f.code, (counts.get(f.code) ?? 0) + 1);
        for (const [code, n] of counts) this.set({ code }, n);
      },
    });
    // One series per connector, from what its stats() last said (a connector without the figure has none).
    const perConnector = (name: string, help: string, pick: (s: ConnectorStats) => number | null | undefined) =>
      new Gauge({
        name,
        help,
        labelNames: ['connector'],
        registers: [r],
        collect() {
          this.reset();
          for (const [connector, c] of deps.connectors) {
            const s = c.stats?.();
            const v = s ? pick(s) : undefined;
            if (v !== null && v !== undefined) this.set({ connector }, v);
          }
        },
      });
    perConnector('taskwire_rate_budget_remaining', 'Requests left in the rate budget the tool last reported', (s) => s.rateRemaining);
    perConnector('taskwire_graphql_points_remaining', 'GraphQL points left, as the tool last reported them (GitHub Projects)', (s) => s.points?.remaining);
    perConnector('taskwire_graphql_points_used_total', 'GraphQL points this process spent (GitHub Projects)', (s) => s.points?.used);
    new Gauge({
      name: 'taskwire_sync_lag_seconds',
      help: 'Seconds since the connector last completed a poll',
      labelNames: ['connector'],
      registers: [r],
      collect() {
        this.reset();
        for (const [name, at] of deps.lastSync()) if (at !== null) this.set({ connector: name }, Math.max(0, (deps.now() - at) / 1000));
      },
    });
  }
}
