// Public surface of the metadata store and the intent journal.
export * from './atomic-write.js';
export * from './document-store.js';
export * from './file-lock.js';
export * from './generation.js';
export * from './journal.js';
export * from './process-identity.js';
export * from './keyed-mutex.js';
export * from './scope-path.js';
export * from './store-errors.js';
export * from './secret-store.js';
export * from './volume-dirs.js';
