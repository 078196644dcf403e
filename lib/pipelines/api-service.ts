import { Construct } from 'constructs';
import { MicroflowService, type Endpoint, type PodSet } from '../platform';
import { KFP } from './constants';

/** A Service speaking the Pipeline API (HTTP 8888, gRPC 8887) and its two endpoints. */
export class PipelineApiService extends Construct {
  public readonly service: MicroflowService;
  public readonly http: Endpoint;
  public readonly grpc: Endpoint;

  /**
   * @param name metadata.name of the Service
   * @param pods pods naming their container ports `http` and `grpc`
   * @param clientLabel label a client pod carries to be admitted
   */
  constructor(scope: Construct, id: string, name: string, pods: PodSet, clientLabel: string) {
    super(scope, id);
    this.service = new MicroflowService(this, 'Resource', {
      name,
      pods,
      ports: [
        { name: 'http', port: KFP.httpPort, targetPort: 'http' },
        { name: 'grpc', port: KFP.grpcPort, targetPort: 'grpc', appProtocol: 'grpc' },
      ],
    });
    const clientLabels = { [clientLabel]: 'true' };
    this.http = { service: this.service, port: 'http', clientLabels };
    this.grpc = { service: this.service, port: 'grpc', clientLabels };
  }
}
