/** Inline protection: decoding, the inputs of a request, signature rules and their detectors. */
export * from './decode.js';
export * from './inputs.js';
export * from './signatures.js';
export * from './snippet.js';
export * from './types.js';
