/**
 * One transaction's inspection, phase by phase: each protection adds findings, and after each phase the
 * inspection says whether the request may go on. Protections never block by themselves: the verdict does,
 * from the findings, the protections' modes and the sensor's mode.
 */
import type { EventProtection, ProtectionFinding } from '@palisade/core';
import {
  type GuardRequest,
  type InspectedRequest,
  type OpenApiGuard,
  type Policies,
  type PolicyFinding,
  type QueryPair,
  type RequestFacts,
  type RequestConditions,
  type RequestHead,
  requestConditions,
  requestFacts,
  requestInputs,
  type SignatureResult,
  type SignatureSet,
} from '@palisade/engine';
import type { RouteSettings } from './routes.js';

/** The compiled protections a sensor runs. Each is optional: what is absent is off. */
export interface SensorProtections {
  signatures?: SignatureSet;
  /** Access lists, deception, rate limits and business flows. */
  policies?: Policies;
  /** The API descriptions the requests must follow. */
  openapi?: OpenApiGuard;
}

/** What to do with the request after a phase. */
export type Verdict =
  | { kind: 'continue' }
  | { kind: 'block'; status: 403 | 429; code: 'PAL_ERR_SENSOR_BLOCKED' | 'PAL_ERR_SENSOR_RATE_LIMITED'; headers?: Record<string, string> }
  /** Answer with a fake success instead of forwarding (a marked actor, a honeypot). */
  | { kind: 'deceive'; response: { status: number; headers: Record<string, string>; body: string } }
  /** Hold the request this long, then go on. */
  | { kind: 'tarpit'; delayMs: number };

/** The inspection of one transaction. Not shared between requests. */
export class Inspection {
  readonly findings: ProtectionFinding[] = [];
  #signatures: SignatureResult = { score: 0, matches: [] };
  #uninspected = 0;
  #blocked = false;
  #wouldBlock = false;
  #rateLimited: number | undefined;
  #deceive: Extract<Verdict, { kind: 'deceive' }>['response'] | undefined;
  #json: { value: unknown } | undefined;
  #bodyText: string | undefined;
  #queryPairs: readonly QueryPair[] | undefined;
  /** The request's headers (head phase), and the conditions rule exceptions read of them, read when first asked. */
  #headers: InspectedRequest['headers'] | undefined;
  #conditions: RequestConditions | undefined;
  readonly #protections: SensorProtections;
  readonly #route: RouteSettings;
  readonly #monitorOnly: boolean;

  constructor(protections: SensorProtections, route: RouteSettings, sensorMode: 'block' | 'monitor') {
    this.#protections = protections;
    this.#route = route;
    this.#monitorOnly = sensorMode === 'monitor';
  }

  /**
   * Request-headers phase: the path, query, headers and cookies, and, when the method is given, the
   * protocol facts (method, version, Host, body framing) that protocol rules judge.
   */
  requestHead(request: Omit<InspectedRequest, 'body'> & Pick<RequestHead, 'method' | 'httpVersion'>): Verdict {
    this.#queryPairs = request.queryPairs;
    this.#headers = request.headers;
    const signatures = this.#protections.signatures;
    if (signatures !== undefined && this.#route.signatures !== 'off') {
      const { inputs, leftOut, overflow } = requestInputs(request, this.#route.maxInputs);
      inputs.push(...requestFacts(request));
      this.#uninspected += leftOut;
      this.#runSignatures(signatures, inputs);
      if (overflow > 0) this.#pastBounds('request', overflow);
    }
    return this.#verdict();
  }

  /** Request-body phase: the body, field by field as its content type allows. */
  requestBody(body: Buffer, contentType: string | undefined): Verdict {
    const signatures = this.#protections.signatures;
    if (signatures !== undefined && this.#route.signatures !== 'off' && body.length > 0) {
      const { inputs, leftOut, overflow, json, text } = requestInputs(
        {
          path: '',
          query: '',
          headers: contentType === undefined ? {} : { 'content-type': contentType },
          body,
        },
        this.#route.maxInputs,
      );
      this.#uninspected += leftOut;
      this.#json = json;
      this.#bodyText = text;
      // the Content-Type given for parsing is a header of the head phase, inspected there already; the walk
      // lists it first, ahead of the body's inputs (taken off the front: no copy of a long list)
      while (inputs[0]?.kind === 'header') inputs.shift();
      this.#runSignatures(signatures, inputs);
      if (overflow > 0) this.#pastBounds('body', overflow);
    }
    return this.#verdict();
  }

  /** The body as UTF-8 text, once the body phase read it (undefined when it did not: no body, signatures off). */
  get bodyText(): string | undefined {
    return this.#bodyText;
  }

  /** The query's pairs the head phase was given, decoded once for every reader of the request. */
  get queryPairs(): readonly QueryPair[] | undefined {
    return this.#queryPairs;
  }

  /** A JSON body as the body phase parsed it (undefined when it did not: not JSON, not valid, signatures off). */
  get bodyJson(): { value: unknown } | undefined {
    return this.#json;
  }

  /** The operation the request was routed to by the API descriptions (`GET /pets/{petId}`), once checked. */
  endpoint: string | undefined;

  /**
   * Request-body phase, API descriptions: the endpoint, method, parameters, content type and body schema.
   * Each violation is a finding; in block mode any violation refuses the request.
   */
  requestOpenApi(request: GuardRequest): Verdict {
    const guard = this.#protections.openapi;
    if (guard === undefined || this.#route.openapi === 'off') return this.#verdict();
    // a JSON body the signatures parsed is not parsed again (the schema check only reads it); the request is
    // copied member by member: a spread plus one more member would build a new object shape per request
    const check = guard.checkRequest(
      this.#json === undefined
        ? request
        : {
            method: request.method,
            path: request.path,
            query: request.query,
            queryPairs: request.queryPairs,
            headers: request.headers,
            body: request.body,
            json: this.#json,
          },
    );
    this.endpoint = check.endpoint;
    if (check.violations.length === 0) return this.#verdict();
    const mode = this.#mode('openapi');
    for (const violation of check.violations) {
      this.findings.push({
        protection: 'openapi',
        ruleId: `openapi/${violation.kind}`,
        location: violation.location,
        detail: violation.detail,
        mode,
      });
    }
    if (mode === 'block') this.#blocked = true;
    else this.#wouldBlock = true;
    return this.#verdict();
  }

  /**
   * Response-body phase: sensitive fields (emails, card numbers, secrets…) in a JSON answer that its API
   * description does not declare. Reported as findings; when `mask` is on, returns the body to send instead.
   */
  responseOpenApi(status: number, contentType: string | undefined, body: Buffer, mask: boolean): Buffer | undefined {
    const guard = this.#protections.openapi;
    if (guard === undefined || this.#route.openapi === 'off') return undefined;
    const check = guard.checkResponse(this.endpoint, status, contentType, body);
    if (check.findings.length === 0) return undefined;
    const masking = mask && !this.#monitorOnly && check.masked !== undefined;
    for (const found of check.findings) {
      this.findings.push({
        protection: 'openapi',
        ruleId: 'openapi/undeclared-sensitive-field',
        location: found.location,
        detail: `undeclared ${found.type} field in the response${masking ? ', masked' : ''}`,
        mode: masking ? 'block' : 'monitor',
      });
    }
    return masking ? Buffer.from(JSON.stringify(check.masked)) : undefined;
  }

  /**
   * Policies (access lists, deception, rate limits, flows) on the request's facts. They run once the body
   * is read, so that business entities found in the body can key them; a tarpit verdict is returned for
   * the caller to wait out, and any refusal beats it.
   */
  requestPolicies(facts: RequestFacts): Verdict {
    const policies = this.#protections.policies;
    if (policies === undefined || this.#route.policies === 'off') return this.#verdict();
    const routeMode = this.#mode('policies');
    let delayMs = 0;
    for (const found of policies.check(facts)) {
      if (found.action === 'allow') continue;
      const mode = routeMode === 'block' && found.action !== 'monitor' ? 'block' : 'monitor';
      this.findings.push(policyFinding(found, mode));
      if (mode === 'monitor') {
        this.#wouldBlock = true;
        continue;
      }
      if (found.action === 'block') {
        this.#blocked = true;
        if (found.retryAfterSeconds !== undefined) this.#rateLimited = Math.max(this.#rateLimited ?? 0, found.retryAfterSeconds);
      } else if (found.action === 'deceive' && found.response !== undefined) this.#deceive ??= found.response;
      else if (found.action === 'tarpit') delayMs = Math.max(delayMs, found.delayMs ?? 0);
    }
    const verdict = this.#verdict();
    if (verdict.kind === 'continue' && delayMs > 0) return { kind: 'tarpit', delayMs };
    return verdict;
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

  /**
   * Values past the inspection bounds were never looked at, and an attack padded behind a thousand harmless
   * fields would hide there: in block mode the request is refused, like one whose inspection failed.
   */
  #pastBounds(part: 'request' | 'body', overflow: number): void {
    if (this.#route.excluded?.('limits/inspection-bounds', part) === true) return;
    const mode = this.#mode('signatures');
    this.findings.push({
      protection: 'signatures',
      ruleId: 'limits/inspection-bounds',
      location: part,
      detail: `${overflow} values past the inspection bounds (${this.#route.maxInputs} values, 32 levels of nesting)`,
      mode,
    });
    if (mode === 'block') this.#blocked = true;
    else this.#wouldBlock = true;
  }

  /** The conditions rule exceptions read (`unless`), read from the head's headers when a rule first asks. */
  readonly #conditionsOf = (): RequestConditions => {
    this.#conditions ??= requestConditions(this.#headers ?? {});
    return this.#conditions;
  };

  #runSignatures(signatures: SignatureSet, inputs: ReturnType<typeof requestInputs>['inputs']): void {
    const before = this.#signatures.matches.length;
    signatures.inspect(inputs, this.#signatures, this.#route.excluded, this.#conditionsOf);
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
    if (this.#blocked) {
      // a refusal by a rule beats a rate limit: the client is told it was blocked, not to come back later
      const refusedByRule = this.findings.some((f) => f.mode === 'block' && f.protection !== 'rate-limit');
      if (this.#rateLimited !== undefined && !refusedByRule) {
        return {
          kind: 'block',
          status: 429,
          code: 'PAL_ERR_SENSOR_RATE_LIMITED',
          headers: { 'retry-after': String(Math.max(1, Math.ceil(this.#rateLimited))) },
        };
      }
      return { kind: 'block', status: 403, code: 'PAL_ERR_SENSOR_BLOCKED' };
    }
    if (this.#deceive !== undefined) return { kind: 'deceive', response: this.#deceive };
    return { kind: 'continue' };
  }
}

/** A policy's finding as the event records it; API keys and sessions are named by kind, never by token. */
function policyFinding(found: PolicyFinding, mode: 'block' | 'monitor'): ProtectionFinding {
  const finding: ProtectionFinding = { protection: found.protection, ruleId: found.ruleId, detail: found.detail, mode };
  if (found.entity !== undefined) finding.entity = found.entity;
  return finding;
}
