/**
 * microflow as a construct library (package.json "exports"): validate a configuration, declare the
 * platform with `new Microflow(app, id, { config })` in a StackApp, add charts of your own that use
 * its handles, synthesize. docs/library.md walks through it; examples/library/ is a whole app.
 *
 *   import { Microflow, StackApp, resolveConfig } from 'microflow';
 *   const app = new StackApp({ outdir: 'dist' });
 *   const mf = new Microflow(app, 'microflow', { config: resolveConfig({ users: ['me@example.com'] }) });
 *   app.synth();
 */
export * from './config';
export { Microflow, MICROFLOW_VERSION, type MicroflowCharts, type MicroflowProps } from './microflow';
export { StackApp, type StackAppProps } from './stack-app';
export { buildStack, type Stack } from './stack';
export { renderTo } from './render';
// The handles a chart of your own receives from a Microflow, by their own names.
export type { Database, ObjectStore, ObjectStoreConsole, SecretRef } from './data';
export { Route, type Gateway, type RouteProps } from './gateway';
export type { UserNamespace } from './users';
export { WorkloadPolicy } from './platform';
export * as platform from './platform';
export * as data from './data';
export * as gateway from './gateway';
export * as gpu from './gpu';
export * as auth from './auth';
export * as users from './users';
export * as pipelines from './pipelines';
export * as notebooks from './notebooks';
export * as deploy from './deploy';
