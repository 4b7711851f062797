export * from './schemas';
export * from './keys';
export * from './content-types';
export * from './parts';
