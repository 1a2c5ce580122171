import type { OwaspApiCategory, Severity } from '../report-types.js';

/** What a posture rule is: its OWASP category, its usual severity and a title for reports. */
export interface PostureRule {
  owasp: OwaspApiCategory;
  /** The severity of its findings (`posture/permissive-cors` lowers it to `low` when no credentials are allowed). */
  severity: Severity;
  title: string;
}

/**
 * Every posture rule, by id. The README describes each one; a test keeps the two in sync. Ids are stable:
 * reports, suppressions and dashboards refer to them.
 */
export const POSTURE_RULES = {
  'posture/bola-prone': {
    owasp: 'API1:2023 Broken Object Level Authorization',
    severity: 'high',
    title: 'Object endpoint never refuses a caller',
  },
  'posture/unauthenticated-sensitive-data': {
    owasp: 'API2:2023 Broken Authentication',
    severity: 'high',
    title: 'Sensitive data served without authentication',
  },
  'posture/credentials-in-url': {
    owasp: 'API2:2023 Broken Authentication',
    severity: 'high',
    title: 'Credentials in the URL query',
  },
  'posture/jwt-none-accepted': {
    owasp: 'API2:2023 Broken Authentication',
    severity: 'critical',
    title: 'Unsigned JWT accepted',
  },
  'posture/credentials-over-http': {
    owasp: 'API2:2023 Broken Authentication',
    severity: 'high',
    title: 'Credentials sent over plain HTTP',
  },
  'posture/excessive-data-exposure': {
    owasp: 'API3:2023 Broken Object Property Level Authorization',
    severity: 'medium',
    title: 'Sensitive data in undeclared response properties',
  },
  'posture/sensitive-data-in-response': {
    owasp: 'API3:2023 Broken Object Property Level Authorization',
    severity: 'medium',
    title: 'High-risk sensitive data in responses',
  },
  'posture/mass-assignment-candidate': {
    owasp: 'API3:2023 Broken Object Property Level Authorization',
    severity: 'medium',
    title: 'Undeclared request properties accepted',
  },
  'posture/auth-endpoint-without-rate-limit': {
    owasp: 'API4:2023 Unrestricted Resource Consumption',
    severity: 'medium',
    title: 'Authentication endpoint without rate limiting',
  },
  'posture/ssrf-prone-parameter': {
    owasp: 'API7:2023 Server Side Request Forgery',
    severity: 'medium',
    title: 'Parameter carrying URLs',
  },
  'posture/verbose-errors': {
    owasp: 'API8:2023 Security Misconfiguration',
    severity: 'medium',
    title: 'Error responses disclose internals',
  },
  'posture/version-disclosure': {
    owasp: 'API8:2023 Security Misconfiguration',
    severity: 'low',
    title: 'Response headers disclose software versions',
  },
  'posture/permissive-cors': {
    owasp: 'API8:2023 Security Misconfiguration',
    severity: 'high',
    title: 'Permissive CORS policy',
  },
  'posture/missing-security-headers': {
    owasp: 'API8:2023 Security Misconfiguration',
    severity: 'low',
    title: 'Security headers missing',
  },
  'posture/shadow-endpoint': {
    owasp: 'API9:2023 Improper Inventory Management',
    severity: 'medium',
    title: 'Undocumented endpoint on a documented API',
  },
  'posture/undocumented-api': {
    owasp: 'API9:2023 Improper Inventory Management',
    severity: 'low',
    title: 'API without a loaded specification',
  },
  'posture/zombie-endpoint': {
    owasp: 'API9:2023 Improper Inventory Management',
    severity: 'high',
    title: 'Deprecated or superseded endpoint still called',
  },
} as const satisfies Record<string, PostureRule>;

/** The id of a posture rule. */
export type PostureRuleId = keyof typeof POSTURE_RULES;

/** Points each finding adds to an endpoint's risk score (see {@link riskOf}). */
export const SEVERITY_WEIGHTS: Readonly<Record<Severity, number>> = Object.freeze({
  critical: 40,
  high: 25,
  medium: 10,
  low: 3,
  info: 0,
});
