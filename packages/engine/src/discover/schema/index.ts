/** JSON Schema inference from traffic and comparison with declared schemas, for API discovery. */
export * from './infer.js';
