import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { IngressAllow, serviceHost } from '../platform';
import { OBJECT_STORE } from './constants';
import type { ObjectStore } from './handles';

/** The named container port every object-store backend serves S3 on. */
export const S3_PORT_NAME = 's3';

export interface ObjectStoreServiceProps {
  readonly namespace: string;
  /** Which backend answers. */
  readonly kind: ObjectStore['kind'];
  /** Labels of the backend's pods. */
  readonly selector: Record<string, string>;
}

/**
 * The S3 front every backend sits behind: Service `minio-service` on 9000 (the name and port
 * Kubeflow Pipelines expects whatever the server is) and the NetworkPolicy that admits its clients.
 */
export class ObjectStoreService extends Construct {
  public readonly store: ObjectStore;

  constructor(scope: Construct, id: string, props: ObjectStoreServiceProps) {
    super(scope, id);
    const host = serviceHost(OBJECT_STORE.service, props.namespace);
    this.store = {
      kind: props.kind,
      service: OBJECT_STORE.service,
      namespace: props.namespace,
      host,
      port: OBJECT_STORE.port,
      endpoint: `http://${host}:${OBJECT_STORE.port}`,
      credentials: OBJECT_STORE.secret,
      buckets: OBJECT_STORE.buckets,
      clientLabels: { [OBJECT_STORE.clientLabel]: 'true' },
    };
    new k8s.KubeService(this, 'Service', {
      metadata: { name: OBJECT_STORE.service, namespace: props.namespace },
      spec: {
        selector: props.selector,
        ports: [{ name: 'http-s3', port: OBJECT_STORE.port, targetPort: k8s.IntOrString.fromString(S3_PORT_NAME), appProtocol: 'http' }],
      },
    });
    new IngressAllow(this, 'Clients', {
      name: 'object-store-clients',
      namespace: props.namespace,
      podSelector: props.selector,
      from: [{ podLabels: this.store.clientLabels }],
      ports: [OBJECT_STORE.port],
    });
  }
}
