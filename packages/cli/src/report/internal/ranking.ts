import type { Alert, AlertSeverity, Incident } from '@palisade/core';
import type { EndpointRecord, Finding, Lifecycle, OwaspApiCategory, Severity } from '@palisade/engine';

/** Severities, most severe first. */
export const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'info'];

/** Severities of behavioural alerts and incidents, most severe first. */
export const ALERT_SEVERITIES: readonly AlertSeverity[] = ['critical', 'high', 'medium', 'low'];

/** Lifecycles in the order the report shows them. */
export const LIFECYCLES: readonly Lifecycle[] = ['documented', 'shadow', 'zombie', 'orphan', 'new'];

/** 4 for `critical` down to 0 for `info`; -1 for a value that is not a severity. */
export function rankSeverity(severity: string): number {
  const index = SEVERITIES.indexOf(severity as Severity);
  return index < 0 ? -1 : SEVERITIES.length - 1 - index;
}

/** The severity band a 0–100 risk score falls in (80+ critical, 60+ high, 40+ medium, 20+ low). */
export function severityOfRisk(score: number): Severity {
  if (score >= 80) return 'critical';
  if (score >= 60) return 'high';
  if (score >= 40) return 'medium';
  if (score >= 20) return 'low';
  return 'info';
}

/** The key that joins a finding to its endpoint. */
export function endpointKey(host: string, method: string, path: string): string {
  return `${host}\u0000${method}\u0000${path}`;
}

/** Endpoints riskiest first (then busiest, then by host, path and method); a new array. */
export function sortEndpointsByRisk(endpoints: readonly EndpointRecord[]): EndpointRecord[] {
  return [...endpoints].sort(
    (a, b) =>
      b.risk.score - a.risk.score ||
      b.requests - a.requests ||
      compareText(a.host, b.host) ||
      compareText(a.path, b.path) ||
      compareText(a.method, b.method),
  );
}

/** Findings most severe first (then the ones seen in most requests, then by id); a new array. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) =>
      rankSeverity(b.severity) - rankSeverity(a.severity) ||
      (b.evidence.requests ?? 0) - (a.evidence.requests ?? 0) ||
      compareText(a.id, b.id) ||
      compareText(a.host, b.host),
  );
}

/** Incidents worst first: most severe, then with the most alerts, then the earliest, then by id; a new array. */
export function sortIncidents(incidents: readonly Incident[]): Incident[] {
  return [...incidents].sort(
    (a, b) =>
      rankSeverity(b.severity) - rankSeverity(a.severity) ||
      b.alertIds.length - a.alertIds.length ||
      a.firstSeen - b.firstSeen ||
      compareText(a.id, b.id),
  );
}

/** Alerts most severe first, then the most confident, then the earliest raised, then by rule id; a new array. */
export function sortAlerts(alerts: readonly Alert[]): Alert[] {
  return [...alerts].sort(
    (a, b) =>
      rankSeverity(b.severity) - rankSeverity(a.severity) ||
      b.confidence - a.confidence ||
      a.raisedAt - b.raisedAt ||
      compareText(a.ruleId, b.ruleId) ||
      compareText(a.id, b.id),
  );
}

/** The number in `API3:2023 …` (3), or 99 for a category that does not start like that. */
export function owaspOrder(category: OwaspApiCategory | string): number {
  const match = /^API(\d+):/.exec(category);
  return match === null ? 99 : Number(match[1]);
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
