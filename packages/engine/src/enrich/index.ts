/** The enrich stage: client address, identity, secret tokenization, business entities. */
export * from './client-address.js';
export * from './enrich.js';
export * from './ip-ranges.js';
export * from './jwt.js';
export * from './secret-key.js';
export * from './tokenize.js';
