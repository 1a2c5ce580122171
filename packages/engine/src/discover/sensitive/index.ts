/** Sensitive-data classification of sampled values for API discovery. */
export * from './detect.js';
