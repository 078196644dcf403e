import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { DEX } from './constants';

/**
 * Dex's storage kinds in its Kubernetes backend, as Dex v2.45 names them (storage/kubernetes/
 * types.go: plural, kind). `signingkeies` and `offlinesessionses` are Dex's own pluralisations.
 */
export const DEX_STORAGE_KINDS = [
  ['authcodes', 'AuthCode'],
  ['authrequests', 'AuthRequest'],
  ['oauth2clients', 'OAuth2Client'],
  ['signingkeies', 'SigningKey'],
  ['refreshtokens', 'RefreshToken'],
  ['passwords', 'Password'],
  ['offlinesessionses', 'OfflineSessions'],
  ['connectors', 'Connector'],
  ['devicerequests', 'DeviceRequest'],
  ['devicetokens', 'DeviceToken'],
] as const;

export interface DexStorageProps {
  /** Dex's namespace: its objects live there. */
  readonly namespace: string;
  /** Dex's ServiceAccount. */
  readonly serviceAccount: string;
}

/**
 * Dex's state (signing keys, auth requests, codes, refresh tokens) in the API server, so it survives
 * a pod restart and two replicas share it, without a volume. The CRDs are declared here rather than
 * created by Dex at start: Dex lists each kind first and creates only the missing ones, so with
 * them present it never needs the cluster-wide right to create CRDs that upstream grants it. Its
 * Role covers exactly these resources in its own namespace.
 */
export class DexStorage extends Construct {
  constructor(scope: Construct, id: string, props: DexStorageProps) {
    super(scope, id);
    for (const [plural, kind] of DEX_STORAGE_KINDS) {
      new k8s.KubeCustomResourceDefinition(this, kind, {
        metadata: { name: `${plural}.${DEX.storageGroup}` },
        spec: {
          group: DEX.storageGroup,
          scope: 'Namespaced',
          names: { plural, singular: kind.toLowerCase(), kind, listKind: `${kind}List` },
          versions: [{
            name: 'v1',
            served: true,
            storage: true,
            // Dex's own definition: its objects carry their fields at the top level, unvalidated.
            schema: { openApiv3Schema: { type: 'object', xKubernetesPreserveUnknownFields: true } },
          }],
        },
      });
    }
    const role = new k8s.KubeRole(this, 'Role', {
      metadata: { name: DEX.name, namespace: props.namespace },
      rules: [{
        apiGroups: [DEX.storageGroup],
        resources: DEX_STORAGE_KINDS.map(([plural]) => plural),
        verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'],
      }],
    });
    new k8s.KubeRoleBinding(this, 'RoleBinding', {
      metadata: { name: DEX.name, namespace: props.namespace },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role.name },
      subjects: [{ kind: 'ServiceAccount', name: props.serviceAccount, namespace: props.namespace }],
    });
  }
}
