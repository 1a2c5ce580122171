import { createHash } from 'node:crypto';
import { type ActorLink, type Alert, type EntityRef, type Incident, SEVERITY_RANK } from '@palisade/core';

/** What detection reports: every alert, and the incidents they fold into. */
export interface DetectionResult {
  alerts: Alert[];
  incidents: Incident[];
}

/** Entities an incident lists at most. */
const MAX_ENTITIES = 200;
const MAX_LINKS = 200;

/** Entity kinds that name one actor; networks, fingerprints and business objects are shared by many. */
const LINKING = new Set(['ip', 'user', 'api_key', 'session']);

const keyOf = (e: EntityRef): string => `${e.kind}\u0000${e.value}`;

/** Requests of the alert that named `entity`: its window's (at its peak) when it is the acting entity, else its link's count. */
function requestsNaming(alert: Alert, entity: EntityRef): number {
  if (keyOf(alert.entities[0] as EntityRef) === keyOf(entity)) {
    const { count, peak_count: peak } = alert.evidence.features;
    return Math.max(typeof count === 'number' ? count : 1, typeof peak === 'number' ? peak : 0);
  }
  return alert.links?.find((l) => keyOf(l.to) === keyOf(entity))?.events ?? 1;
}

/**
 * Folds alerts into incidents, one per actor. Two alerts belong to one actor when they name the same user,
 * API key, session or address, or when both name as their acting entity the same client fingerprint: a
 * fingerprint links only when a rule grouped by it (a common browser's fingerprint, merely seen in two
 * alerts, links nothing); networks and business objects never link. Every link keeps its reason. Alerts
 * get their `actor` and `incidentId`. An incident's id derives from its earliest alert (first seen, then
 * id), so it stays the same as later alerts join.
 */
export function foldIncidents(input: readonly Alert[]): DetectionResult {
  const alerts = [...input].sort((a, b) => a.firstSeen - b.firstSeen || a.id.localeCompare(b.id));
  const parent = new Map<string, string>();
  const find = (k: string): string => {
    let root = k;
    while (parent.get(root) !== root) root = parent.get(root) as string;
    for (let x = k; x !== root; ) {
      const next = parent.get(x) as string;
      parent.set(x, root);
      x = next;
    }
    return root;
  };
  const union = (a: string, b: string): void => {
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent.set(rb, ra);
  };
  const linking = (alert: Alert): EntityRef[] =>
    alert.entities.filter((e, i) => LINKING.has(e.kind) || (i === 0 && e.kind === 'fingerprint'));
  for (const alert of alerts) {
    const node = `alert\u0000${alert.id}`;
    parent.set(node, node);
    for (const entity of linking(alert)) {
      const k = keyOf(entity);
      if (!parent.has(k)) parent.set(k, k);
      union(node, k);
    }
  }
  const byRoot = new Map<string, Alert[]>();
  for (const alert of alerts) {
    const root = find(`alert\u0000${alert.id}`);
    const list = byRoot.get(root);
    if (list === undefined) byRoot.set(root, [alert]);
    else list.push(alert);
  }
  const incidents: Incident[] = [];
  for (const group of byRoot.values()) {
    const first = group[0] as Alert;
    const actor = `actor-${createHash('sha256')
      .update(keyOf(first.entities[0] as EntityRef))
      .digest('hex')
      .slice(0, 12)}`;
    // named after its earliest alert: alerts joining later (a later run, a streaming day) keep the id and its triage
    const id = `inc-${createHash('sha256').update(first.id).digest('hex').slice(0, 16)}`;
    const entities = new Map<string, EntityRef>();
    const links: ActorLink[] = [];
    // which earlier alert first named each linking entity, and which alerts are joined so far (by index): every
    // alert that joins alerts not yet joined gets one link per join, naming the entity both share
    const named = new Map<string, number>();
    const joinedTo = group.map((_, i) => i);
    const rootOf = (i: number): number => {
      let r = i;
      while (joinedTo[r] !== r) r = joinedTo[r] as number;
      joinedTo[i] = r;
      return r;
    };
    group.forEach((alert, index) => {
      alert.actor = actor;
      alert.incidentId = id;
      const own = alert.entities[0] as EntityRef;
      for (const shared of linking(alert)) {
        const at = named.get(keyOf(shared));
        if (at === undefined) {
          named.set(keyOf(shared), index);
          continue;
        }
        if (rootOf(at) === rootOf(index)) continue;
        joinedTo[rootOf(at)] = rootOf(index);
        const earlier = group[at] as Alert;
        const before = earlier.entities[0] as EntityRef;
        if (keyOf(before) !== keyOf(own) && links.length < MAX_LINKS) {
          links.push({
            from: before,
            to: own,
            reason: `${earlier.ruleId} and ${alert.ruleId} both name ${shared.kind} ${shared.value}`,
            events: requestsNaming(alert, shared),
            firstSeen: alert.firstSeen,
          });
        }
      }
      const counted = new Map((alert.links ?? []).map((l) => [keyOf(l.to), l]));
      for (const entity of alert.entities) {
        if (entities.size < MAX_ENTITIES) entities.set(keyOf(entity), entity);
        if (entity !== own && links.length < MAX_LINKS && (entity.kind !== 'fingerprint' || group.length === 1)) {
          // a rule's alert counts the requests that showed each entity; a detector's names them without counts
          links.push(
            counted.get(keyOf(entity)) ?? {
              from: own,
              to: entity,
              reason: `named together by ${alert.ruleId}`,
              events: 1,
              firstSeen: alert.firstSeen,
            },
          );
        }
      }
    });
    const severity = group.reduce((worst, a) => (SEVERITY_RANK[a.severity] > SEVERITY_RANK[worst] ? a.severity : worst), first.severity);
    const categories = [...new Set(group.map((a) => a.category))];
    const acting = [...new Set(group.map((a) => `${a.entities[0]?.kind} ${a.entities[0]?.value}`))];
    incidents.push({
      id,
      actor,
      status: 'open',
      severity,
      categories,
      alertIds: group.map((a) => a.id),
      entities: [...entities.values()],
      links,
      firstSeen: Math.min(...group.map((a) => a.firstSeen)),
      lastSeen: Math.max(...group.map((a) => a.lastSeen)),
      summary: `${group.length} alert${group.length === 1 ? '' : 's'} (${categories.join(', ')}) by ${acting.slice(0, 3).join(', ')}${acting.length > 3 ? ` and ${acting.length - 3} more` : ''}`,
    });
  }
  incidents.sort((a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] || a.firstSeen - b.firstSeen);
  return { alerts, incidents };
}
