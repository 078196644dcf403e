import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { defaultUserNamespace, type Config, type UserQuota } from '../config';
import type { Gateway } from '../gateway';
import { KubeflowRoles } from './cluster-roles';
import { USER_NAMESPACE } from './constants';
import { UserNamespaceConstruct, type UserNamespace } from './user-namespace';

export * from './constants';
export * from './cluster-roles';
export * from './user-namespace';
export * from './quota';

/** A configured user with everything defaulted: their namespace and their quota. */
export interface ResolvedUser {
  readonly email: string;
  readonly namespace: string;
  readonly quota: UserQuota;
  /** Service accounts of their namespace whose tokens the gateway accepts (as their namespace's identity). */
  readonly serviceAccounts: readonly string[];
}

/** The configured users, with namespaces and quotas filled in (GPUs are 0 when the platform has none). */
export function resolveUsers(config: UsersSettings): ResolvedUser[] {
  return config.users.map((u) => {
    const quota = { ...config.userNamespace.quota, ...u.quota };
    return {
      email: u.email,
      namespace: u.namespace ?? defaultUserNamespace(u.email),
      quota: { ...quota, gpus: config.gpu.enabled ? quota.gpus : 0 },
      serviceAccounts: [USER_NAMESPACE.editorServiceAccount, USER_NAMESPACE.viewerServiceAccount],
    };
  });
}

/** The part of the configuration user namespaces are made from. */
export type UsersSettings = Pick<Config, 'users' | 'userNamespace' | 'gpu'>;

export interface UsersChartProps {
  /** The users, their namespaces' quota and container defaults, and whether GPUs are offered. */
  readonly config: UsersSettings;
  readonly gateway: Gateway;
  /** Header the gateway writes the verified identity into (the Login handle's `userIdHeader`). */
  readonly userIdHeader: string;
}

/**
 * One namespace per configured user, and Kubeflow's role ladder their bindings refer to. Exposes a
 * `UserNamespace` handle per user for the components that add per-user objects.
 */
export class UsersChart extends Chart {
  public static readonly COMPONENT = 'users';
  public readonly users: UserNamespace[];

  constructor(scope: Construct, id: string, props: UsersChartProps) {
    super(scope, id);
    new KubeflowRoles(this, 'Roles');
    this.users = resolveUsers(props.config).map((u) => new UserNamespaceConstruct(this, u.namespace, {
      email: u.email,
      namespace: u.namespace,
      quota: u.quota,
      containerDefaults: props.config.userNamespace.containerDefaults,
      gateway: props.gateway,
      userIdHeader: props.userIdHeader,
    }));
  }
}
