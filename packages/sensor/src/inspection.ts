/**
 * One transaction's inspection, phase by phase: each protection adds findings, and after each phase the
 * inspection says whether the request may go on. Protections never block by themselves: the verdict does,
 * from the findings, the protections' modes and the sensor's mode.
 */
import type { EventProtection, ProtectionFinding } from '@palisade/core';
import { type InspectedRequest, requestInputs, type SignatureResult, type SignatureSet } from '@palisade/engine';
import type { RouteSettings } from './routes.js';

/** The compiled protections a sensor runs. Each is optional: what is absent is off. */
export interface SensorProtections {
  signatures?: SignatureSet;
}

/** What to do with the request after a phase. */
export type Verdict =
  | { kind: 'continue' }
  | { kind: 'block'; status: 403 | 429; code: 'PAL_ERR_SENSOR_BLOCKED' | 'PAL_ERR_SENSOR_RATE_LIMITED'; headers?: Record<string, string> };

/** The inspection of one transaction. Not shared between requests. */
export class Inspection {
  readonly findings: ProtectionFinding[] = [];
  #signatures: SignatureResult = { score: 0, matches: [] };
  #uninspected = 0;
  #blocked = false;
  #wouldBlock = false;
  readonly #protections: SensorProtections;
  readonly #route: RouteSettings;
  readonly #monitorOnly: boolean;

  constructor(protections: SensorProtections, route: RouteSettings, sensorMode: 'block' | 'monitor') {
    this.#protections = protections;
    this.#route = route;
    this.#monitorOnly = sensorMode === 'monitor';
  }

  /** Request-headers phase: the path, query, headers and cookies. */
  requestHead(request: Omit<InspectedRequest, 'body'>): Verdict {
    const signatures = this.#protections.signatures;
    if (signatures !== undefined && this.#route.signatures !== 'off') {
      const { inputs, leftOut } = requestInputs(request);
      this.#uninspected += leftOut;
      this.#runSignatures(signatures, inputs);
    }
    return this.#verdict();
  }

  /** Request-body phase: the body, field by field as its content type allows. */
  requestBody(body: Buffer, contentType: string | undefined): Verdict {
    const signatures = this.#protections.signatures;
    if (signatures !== undefined && this.#route.signatures !== 'off' && body.length > 0) {
      const { inputs, leftOut } = requestInputs({
        path: '',
        query: '',
        headers: contentType === undefined ? {} : { 'content-type': contentType },
        body,
      });
      this.#uninspected += leftOut;
      this.#runSignatures(
        signatures,
        inputs.filter((input) => !input.location.startsWith('header:')),
      );
    }
    return this.#verdict();
  }

  /** The event's record of what was decided: `action` from how the transaction ended. */
  record(action: EventProtection['action']): EventProtection {
    const signatures = this.#protections.signatures;
    const record: EventProtection = {
      action,
      score: this.#signatures.score,
      threshold: signatures?.threshold ?? 0,
      paranoia: signatures?.paranoia ?? 0,
      findings: this.findings,
    };
    if (this.#uninspected > 0) record.uninspected = this.#uninspected;
    return record;
  }

  /** True when a protection in monitor mode (or the sensor in monitor mode) would have blocked. */
  get wouldHaveBlocked(): boolean {
    return this.#wouldBlock;
  }

  get blocked(): boolean {
    return this.#blocked;
  }

  #mode(protection: 'signatures' | 'openapi' | 'policies'): 'block' | 'monitor' {
    return this.#monitorOnly || this.#route[protection] !== 'block' ? 'monitor' : 'block';
  }

  #runSignatures(signatures: SignatureSet, inputs: ReturnType<typeof requestInputs>['inputs']): void {
    const before = this.#signatures.matches.length;
    signatures.inspect(inputs, this.#signatures, this.#route.excluded);
    const mode = this.#mode('signatures');
    for (const match of this.#signatures.matches.slice(before)) {
      this.findings.push({
        protection: 'signatures',
        ruleId: match.ruleId,
        category: match.category,
        location: match.location,
        snippet: match.snippet,
        detail: match.detail,
        score: match.score,
        mode,
      });
    }
    if (this.#signatures.score >= signatures.threshold) {
      if (mode === 'block') this.#blocked = true;
      else this.#wouldBlock = true;
    }
  }

  #verdict(): Verdict {
    return this.#blocked ? { kind: 'block', status: 403, code: 'PAL_ERR_SENSOR_BLOCKED' } : { kind: 'continue' };
  }
}
