export * from './types.js';
export * from './openapi/load-spec.js';
export * from './templating/segment.js';
export * from './templating/templater.js';
export * from './sensitive/index.js';
