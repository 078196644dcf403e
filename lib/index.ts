/**
 * microflow as a library: validate a typed configuration, declare the stack, render it.
 *
 *   import { resolveConfig, renderTo } from 'microflow/lib';
 *   renderTo(resolveConfig({ profile: 'gpu-workstation', users: ['me@example.com'] }), 'dist');
 */
export * from './config';
export { buildStack, MICROFLOW_VERSION, type Stack } from './stack';
export { renderTo } from './render';
export * as platform from './platform';
export * as data from './data';
export * as gateway from './gateway';
export * as gpu from './gpu';
export * as auth from './auth';
export * as users from './users';
export * as deploy from './deploy';
