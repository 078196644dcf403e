export * from './schema';
export * from './load';
export * from './quantity';
export { PROFILE_DEFAULTS } from './profiles';
export { COMPONENT_KEYS, type ComponentKey } from './components';
export * from './users';
