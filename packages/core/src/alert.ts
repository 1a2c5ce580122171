/**
 * What behavioural detection reports: alerts (one pattern seen in one entity's behaviour, with its evidence)
 * and incidents (the alerts about one actor, folded together, with a status a person moves along).
 *
 * Contract: times are epoch milliseconds UTC; entity values are what the events carry (tokens for secrets,
 * the consumer's name for API keys when the source gives one); an alert never holds a payload or a secret.
 */

/** The kinds of abuse an alert can be about. */
export type AlertCategory =
  | 'bola'
  | 'scraping'
  | 'credential_stuffing'
  | 'account_takeover'
  | 'credential_compromise'
  | 'data_exfiltration'
  | 'injection'
  | 'scanning'
  | 'rate_abuse'
  | 'business_flow_abuse';

/** All alert categories, in a stable order. */
export const ALERT_CATEGORIES: readonly AlertCategory[] = [
  'bola',
  'scraping',
  'credential_stuffing',
  'account_takeover',
  'credential_compromise',
  'data_exfiltration',
  'injection',
  'scanning',
  'rate_abuse',
  'business_flow_abuse',
];

/** How bad it would be if the alert is right. */
export type AlertSeverity = 'low' | 'medium' | 'high' | 'critical';

/** The ranks of severities, for sorting and for an incident's severity (its worst alert's). */
export const SEVERITY_RANK: Readonly<Record<AlertSeverity, number>> = { low: 1, medium: 2, high: 3, critical: 4 };

/**
 * One entity: `ip`, `user`, `api_key`, `session`, `fingerprint`, `actor`, or a business entity by its
 * extractor's name (`account`, `invoice`, …).
 */
export interface EntityRef {
  kind: string;
  value: string;
}

/** One step of an entity's timeline in an alert's evidence. */
export interface TimelineEntry {
  time: number;
  /** What happened, in a few words (`GET /v2/invoices/{invoiceId} 200 ×42`). */
  what: string;
  eventId?: string;
}

/** Why an alert was raised: what was measured, what it was compared with, and what it was seen in. */
export interface AlertEvidence {
  /** The measured features (`distinctObjects: 412`, `failureRatio: 0.98`). */
  features: Record<string, number | string>;
  /** The baseline each feature was compared with (the entity's own history, the endpoint's, or the population's). */
  baseline: Record<string, number | string>;
  /** The threshold that was crossed, in words a reader can check (`distinctObjects ≥ max(50, 10 × baseline)`). */
  threshold: string;
  /** Ids of a few events that show it (the first ones, then the latest). */
  sampleEventIds: string[];
  /** The entity's activity around the alert, oldest first, bounded. */
  timeline: TimelineEntry[];
}

/** One detection. */
export interface Alert {
  /** Stable for the same rule, entities and first sighting: a replay gives the same id. */
  id: string;
  /** The rule that raised it, `<namespace>/<slug>` (`bola/object-enumeration`). */
  ruleId: string;
  category: AlertCategory;
  severity: AlertSeverity;
  /** 0–1: how sure the rule is that this is abuse rather than an unusual legitimate use. */
  confidence: number;
  /** The entities it is about, the acting ones first. */
  entities: EntityRef[];
  /** The first and the last observation of the pattern. */
  firstSeen: number;
  lastSeen: number;
  /** When the pattern crossed the threshold: the detection time (on the events' clock). */
  raisedAt: number;
  /** One line a person reads first. */
  summary: string;
  evidence: AlertEvidence;
  /**
   * How the alert's other entities relate to its acting one (`entities[0]`): the requests that showed each
   * (an address the fingerprint's requests came from, the user an address signed in as), with counts.
   */
  links?: ActorLink[];
  /** The actor the alert was attributed to (`actor` entity value), when entities could be linked. */
  actor?: string;
  /** The incident it was folded into. */
  incidentId?: string;
}

/** Where an incident stands. A false-positive mark suppresses the same pattern for its entities until it expires. */
export type IncidentStatus = 'open' | 'acknowledged' | 'resolved' | 'false_positive';

/** Why two entities were taken for one actor. */
export interface ActorLink {
  from: EntityRef;
  to: EntityRef;
  /** In a few words: `same fingerprint`, `same session`, `same user`. */
  reason: string;
  /** Events that showed the link. */
  events: number;
  firstSeen: number;
}

/** The alerts about one actor, folded together. */
export interface Incident {
  id: string;
  /** The actor's id (an `actor` entity value). */
  actor: string;
  status: IncidentStatus;
  severity: AlertSeverity;
  categories: AlertCategory[];
  /** Ids of the alerts folded in, oldest first. */
  alertIds: string[];
  /** Every entity of the actor that an alert named, and the ones linked to them. */
  entities: EntityRef[];
  /** How the actor's entities were linked. */
  links: ActorLink[];
  firstSeen: number;
  lastSeen: number;
  summary: string;
}
