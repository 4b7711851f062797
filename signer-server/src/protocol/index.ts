export * from './schemas';
export * from './keys';
export * from './batch-id';
export * from './hosts';
export * from './content-types';
export * from './parts';
export * from './error-codes';
