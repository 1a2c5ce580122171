/** API posture findings mapped to the OWASP API Security Top 10 (2023), and per-endpoint risk scores. */
export * from './catalogue.js';
export * from './posture.js';
