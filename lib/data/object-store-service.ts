import { Construct } from 'constructs';
import { IngressAllow, MicroflowService, type PodSet } from '../platform';
import { OBJECT_STORE } from './constants';
import type { ObjectStore } from './handles';

/** The named container port every object-store backend serves S3 on. */
export const S3_PORT_NAME = 's3';
/** The Service port name of the S3 front (Istio reads the protocol from the prefix). */
const S3_SERVICE_PORT = 'http-s3';

export interface ObjectStoreServiceProps {
  /** Which backend answers. */
  readonly kind: ObjectStore['kind'];
  /** The backend's pods; they must name their S3 container port `s3`. */
  readonly pods: PodSet;
}

/**
 * The S3 front every backend sits behind: Service `minio-service` on 9000 (the name and port
 * Kubeflow Pipelines expects whatever the server is) and the NetworkPolicy that admits its clients
 * on the port the backend really listens on (9000 for MinIO, 8333 for SeaweedFS).
 */
export class ObjectStoreService extends Construct {
  public readonly store: ObjectStore;

  constructor(scope: Construct, id: string, props: ObjectStoreServiceProps) {
    super(scope, id);
    const service = new MicroflowService(this, 'Service', {
      name: OBJECT_STORE.service,
      pods: props.pods,
      ports: [{ name: S3_SERVICE_PORT, port: OBJECT_STORE.port, targetPort: S3_PORT_NAME, appProtocol: 'http' }],
    });
    const clientLabels = { [OBJECT_STORE.clientLabel]: 'true' };
    this.store = {
      kind: props.kind,
      service: service.name,
      namespace: service.namespace,
      host: service.host,
      port: OBJECT_STORE.port,
      endpoint: `http://${service.host}:${OBJECT_STORE.port}`,
      credentials: OBJECT_STORE.secret,
      buckets: OBJECT_STORE.buckets,
      clientLabels,
      server: { service, port: S3_SERVICE_PORT, clientLabels },
    };
    IngressAllow.forEndpoint(this, 'Clients', { name: 'object-store-clients', endpoint: this.store.server });
  }
}
