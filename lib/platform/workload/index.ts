export * from './policy';
export * from './base';
export * from './deployment';
export * from './stateful-set';
export * from './job';
export * from './cron-job';
export * from './availability';
