/** Palisade's embedded default store, on DuckDB. */
export { createDuckDbStore, DuckDbStore, type DuckDbStoreOptions } from './duckdb-store.js';
export { SCHEMA_VERSION } from './schema.js';
