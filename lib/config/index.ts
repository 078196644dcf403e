export * from './schema';
export { jupyterSchema, notebookSchema, tensorboardSchema } from './notebooks-schema';
export { DNS_LABEL } from './validators';
export * from './load';
export * from './quantity';
export * from './quota-rules';
export { PROFILE_DEFAULTS } from './profiles';
export { COMPONENT_KEYS, type ComponentKey } from './components';
export * from './users';
