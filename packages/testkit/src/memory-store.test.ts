import { createMemoryStore } from './memory-store.js';
import { testStoreConformance } from './store-conformance.js';

testStoreConformance('memory', async () => createMemoryStore());
