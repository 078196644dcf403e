import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { PolicyJob, type WorkloadPolicy } from '../platform';

export interface SelfSignedCertificateProps {
  /** Namespace of the Secret (the gateway's, where istiod looks up credentialName). */
  readonly namespace: string;
  /** metadata.name of the kubernetes.io/tls Secret. */
  readonly secretName: string;
  /** Host name the certificate is issued for (subject and subjectAltName). */
  readonly domain: string;
  readonly policy: WorkloadPolicy;
}

/** Validity of the generated certificate: the longest browsers accept for a server certificate. */
export const SELF_SIGNED_DAYS = 825;

/**
 * A self-signed certificate for the gateway, made in the cluster once: the Job stores it only if
 * the Secret does not exist, so re-applying never replaces it, and a certificate you created
 * beforehand (`kubectl create secret tls`) always wins. The key never leaves the cluster.
 */
export class SelfSignedCertificate extends Construct {
  /** Annotation on the Job naming the Secret it creates (like GeneratedSecrets'). */
  public static readonly ANNOTATION = 'microflow.dev/generates-secrets';
  public readonly jobName: string;

  constructor(scope: Construct, id: string, props: SelfSignedCertificateProps) {
    super(scope, id);
    this.jobName = `${props.secretName}-certificate`;
    const env = [
      { name: 'HOME', value: '/tmp' },
      { name: 'NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
      { name: 'CERTIFICATE', value: props.secretName },
      { name: 'DOMAIN', value: props.domain },
    ];
    const mounts = [{ name: 'tmp', mountPath: '/tmp' }, { name: 'certs', mountPath: '/certs' }];
    const job = new PolicyJob(this, 'Job', {
      name: this.jobName,
      namespace: props.namespace,
      policy: props.policy,
      pod: {
        apiAccess: true,
        // openssl makes the key pair (the MySQL image ships it and is pulled anyway); kubectl stores it.
        initContainers: [{
          name: 'generate', image: 'mysql', resources: 'gatewayCertificate', env, volumeMounts: mounts,
          command: ['/bin/sh', '-c', GENERATE],
        }],
        containers: [{
          name: 'store', image: 'kubectl', resources: 'gatewayCertificate', runsToCompletion: true, env, volumeMounts: mounts,
          command: ['/bin/sh', '-c', STORE],
        }],
        volumes: [
          { name: 'tmp', emptyDir: { medium: 'Memory', sizeLimit: k8s.Quantity.fromString('16Mi') } },
          { name: 'certs', emptyDir: { medium: 'Memory', sizeLimit: k8s.Quantity.fromString('1Mi') } },
        ],
      },
    });
    job.job.metadata.addAnnotation(SelfSignedCertificate.ANNOTATION, props.secretName);

    const role = new k8s.KubeRole(this, 'Role', {
      metadata: { name: this.jobName, namespace: props.namespace },
      rules: [
        // create cannot be narrowed by resourceNames in RBAC; reading is limited to this Secret.
        { apiGroups: [''], resources: ['secrets'], verbs: ['create'] },
        { apiGroups: [''], resources: ['secrets'], verbs: ['get'], resourceNames: [props.secretName] },
      ],
    });
    new k8s.KubeRoleBinding(this, 'RoleBinding', {
      metadata: { name: this.jobName, namespace: props.namespace },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role.name },
      subjects: [{ kind: 'ServiceAccount', name: job.serviceAccount.name, namespace: props.namespace }],
    });
  }
}

/** Makes a key and a self-signed certificate for $DOMAIN in /certs (memory only). */
const GENERATE = [
  'set -eu',
  'umask 077',
  `openssl req -x509 -newkey rsa:2048 -sha256 -nodes -days ${SELF_SIGNED_DAYS} -subj "/CN=$DOMAIN" \\`,
  '  -addext "subjectAltName=DNS:$DOMAIN" -addext "extendedKeyUsage=serverAuth" \\',
  '  -keyout /certs/tls.key -out /certs/tls.crt 2>/tmp/openssl.log || { cat /tmp/openssl.log >&2; exit 1; }',
  'echo "self-signed certificate for $DOMAIN made"',
].join('\n') + '\n';

/** Stores it as $CERTIFICATE unless that Secret exists (never replaced, never rotated). */
const STORE = [
  'set -eu',
  'if [ -n "$(kubectl -n "$NAMESPACE" get secret "$CERTIFICATE" --ignore-not-found -o name)" ]; then',
  '  echo "secret/$CERTIFICATE exists: kept as it is"; exit 0',
  'fi',
  'if kubectl -n "$NAMESPACE" create secret tls "$CERTIFICATE" --cert=/certs/tls.crt --key=/certs/tls.key 2>/tmp/err; then',
  '  echo "secret/$CERTIFICATE created (self-signed for $DOMAIN)"',
  'elif grep -q AlreadyExists /tmp/err; then',
  '  echo "secret/$CERTIFICATE was created meanwhile: kept as it is"',
  'else',
  '  cat /tmp/err >&2; exit 1',
  'fi',
].join('\n') + '\n';
