import { createMemoryStore } from './memory-store.js';
import { testDetectionStoreConformance, testStoreConformance } from './store-conformance.js';

testStoreConformance('memory', async () => createMemoryStore());
testDetectionStoreConformance('memory', async () => createMemoryStore());
