export * from './controller';
export * from './rbac';
