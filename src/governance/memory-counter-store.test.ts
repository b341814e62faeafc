import { counterStoreContract } from './counter-store-contract.js';
import { createMemoryCounterStore } from './memory-counter-store.js';

counterStoreContract('memory counter store', async () => createMemoryCounterStore());
