import type {
  Alert,
  AppendResult,
  ApiEvent,
  BatchWriter,
  DetectionStore,
  EncodedEvents,
  EventBatch,
  EventQuery,
  SourceCheckpoint,
  Store,
  StoredState,
} from '@palisade/core';
import { encodedLines } from '@palisade/core';

const ENCODER_MODULE = new URL(`./memory-encoder${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url).href;

/**
 * A `Store` in memory, for engine tests: honours the whole contract (atomic batches, id dedupe,
 * checkpoints, retention, encoding in workers) and the `DetectionStore` one, and passes the conformance
 * suite. Not for production: nothing is persisted.
 */
export function createMemoryStore(): Store & DetectionStore & { events(): readonly ApiEvent[] } {
  const byId = new Map<string, ApiEvent>();
  const checkpoints = new Map<string, SourceCheckpoint>();
  const states = new Map<string, StoredState>();
  const alerts = new Map<string, Alert>();
  let chain: Promise<unknown> = Promise.resolve();
  const matches = (e: ApiEvent, q: EventQuery): boolean =>
    (q.from === undefined || e.time >= q.from) &&
    (q.to === undefined || e.time < q.to) &&
    (q.host === undefined || e.request.host === q.host) &&
    (q.clientIp === undefined || e.client.ip === q.clientIp);
  const sorted = (): ApiEvent[] => [...byId.values()].sort((a, b) => a.time - b.time || (a.id < b.id ? -1 : 1));
  const store = {
    encoderModule: ENCODER_MODULE,
    begin(): BatchWriter {
      const pending: ApiEvent[] = [];
      let done = false;
      return {
        add(event) {
          if (done) throw new Error('this batch was already committed');
          pending.push(structuredClone(event));
        },
        addEncoded(events: EncodedEvents) {
          if (done) throw new Error('this batch was already committed');
          if (events.count === 0) return;
          for (const line of encodedLines(events).split('\n')) pending.push(JSON.parse(line) as ApiEvent);
        },
        get size() {
          return pending.length;
        },
        commit(cps) {
          if (done) return Promise.reject(new Error('this batch was already committed'));
          done = true;
          const run = async (): Promise<AppendResult> => {
            const insertedByKind: Record<string, number> = {};
            let inserted = 0;
            for (const event of pending) {
              if (byId.has(event.id)) continue;
              byId.set(event.id, event);
              insertedByKind[event.source.kind] = (insertedByKind[event.source.kind] ?? 0) + 1;
              inserted++;
            }
            for (const cp of cps) checkpoints.set(cp.key, { ...cp });
            return { inserted, duplicates: pending.length - inserted, insertedByKind };
          };
          const next = chain.then(run, run);
          chain = next.catch(() => undefined);
          return next;
        },
      };
    },
    async append(batch: EventBatch) {
      const writer = store.begin();
      for (const event of batch.events) writer.add(event);
      return writer.commit(batch.checkpoints);
    },
    async checkpoint(key: string) {
      const cp = checkpoints.get(key);
      return cp === undefined ? undefined : { ...cp };
    },
    async query(q: EventQuery = {}) {
      return sorted()
        .filter((e) => matches(e, q))
        .slice(0, q.limit ?? 1000)
        .map((e) => structuredClone(e));
    },
    async count(q: EventQuery = {}) {
      return sorted().filter((e) => matches(e, q)).length;
    },
    async applyRetention(now: number, retentionDays: number) {
      const cutoff = (Math.floor(now / 86_400_000) - retentionDays) * 86_400_000;
      let deleted = 0;
      for (const [id, e] of byId) {
        if (e.time < cutoff) {
          byId.delete(id);
          deleted++;
        }
      }
      return deleted;
    },
    async close() {},
    async putState(kind: string, state: Uint8Array, clock: number, at: number) {
      states.set(kind, { state: new Uint8Array(state), clock, updatedAt: at });
    },
    async getState(kind: string) {
      const kept = states.get(kind);
      return kept === undefined ? undefined : { ...kept, state: new Uint8Array(kept.state) };
    },
    async putAlerts(list: readonly Alert[]) {
      for (const alert of list) alerts.set(alert.id, structuredClone(alert));
    },
    async alerts(options: { since?: number } = {}) {
      return [...alerts.values()]
        .filter((a) => options.since === undefined || a.lastSeen >= options.since)
        .sort((a, b) => a.raisedAt - b.raisedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
        .map((a) => structuredClone(a));
    },
    events: () => sorted(),
  };
  return store;
}
