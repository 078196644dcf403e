export * from './argo';
export * from './scheduled-workflow';
