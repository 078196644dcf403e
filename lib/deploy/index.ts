export * from './phases';
export * from './apply';
