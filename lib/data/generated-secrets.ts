import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { GENERATES_SECRETS_ANNOTATION, PolicyJob, type WorkloadPolicy } from '../platform';

/** One key of a generated Secret: a random value, or a fixed non-secret value such as a user name. */
export type GeneratedValue = { readonly random: number } | { readonly fixed: string };

/** A Secret the generator creates if, and only if, it does not exist yet. */
export interface GeneratedSecretSpec {
  /** metadata.name of the Secret. */
  readonly name: string;
  /** Key → how its value is made. */
  readonly data: Record<string, GeneratedValue>;
}

export interface GeneratedSecretsProps {
  /** Namespace the Secrets (and the generator) live in. */
  readonly namespace: string;
  /** The Secrets to ensure. */
  readonly secrets: GeneratedSecretSpec[];
  readonly policy: WorkloadPolicy;
  /** metadata.name of the Job, its ServiceAccount, Role and RoleBinding. @default 'microflow-secrets' */
  readonly name?: string;
}

const SAFE = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const SAFE_KEY = /^[-._a-zA-Z0-9]+$/;
const SAFE_FIXED = /^[-._@a-zA-Z0-9]*$/;

/**
 * Creates credentials inside the cluster, once: each Secret is created with random values only when
 * it does not exist, so re-applying never rotates a password that data depends on, and a Secret the
 * user created beforehand wins. No value ever appears in the rendered manifests.
 * The Job may only create Secrets in its namespace and read the ones it manages.
 */
export class GeneratedSecrets extends Construct {
  /** Annotation on the Job listing the Secrets it manages, for people and for the reference checks. */
  public static readonly ANNOTATION = GENERATES_SECRETS_ANNOTATION;
  public readonly name: string;
  public readonly secretNames: string[];

  constructor(scope: Construct, id: string, props: GeneratedSecretsProps) {
    super(scope, id);
    this.name = props.name ?? 'microflow-secrets';
    if (props.secrets.length === 0) throw new Error(`GeneratedSecrets "${this.name}": no secrets to generate`);
    for (const s of props.secrets) {
      if (!SAFE.test(s.name)) throw new Error(`GeneratedSecrets: "${s.name}" is not a valid Secret name`);
      for (const [key, v] of Object.entries(s.data)) {
        if (!SAFE_KEY.test(key)) throw new Error(`GeneratedSecrets: secret "${s.name}" key "${key}" is not a valid key`);
        if ('random' in v && (!Number.isInteger(v.random) || v.random < 16 || v.random > 64)) {
          throw new Error(`GeneratedSecrets: secret "${s.name}" key "${key}": random length must be 16..64 bytes`);
        }
        if ('fixed' in v && !SAFE_FIXED.test(v.fixed)) throw new Error(`GeneratedSecrets: secret "${s.name}" key "${key}": fixed value has unsafe characters`);
      }
    }

    this.secretNames = props.secrets.map((s) => s.name);
    const job = new PolicyJob(this, 'Job', {
      name: this.name,
      namespace: props.namespace,
      policy: props.policy,
      pod: {
        apiAccess: true,
        containers: [
          {
            name: 'generate',
            image: 'kubectl',
            resources: 'secrets',
            runsToCompletion: true,
            command: ['/bin/sh', '-c', script(props.secrets)],
            env: [
              { name: 'HOME', value: '/tmp' },
              { name: 'NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
            ],
            volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
          },
        ],
        volumes: [{ name: 'tmp', emptyDir: { medium: 'Memory', sizeLimit: k8s.Quantity.fromString('16Mi') } }],
      },
    });

    job.job.metadata.addAnnotation(GeneratedSecrets.ANNOTATION, this.secretNames.join(','));

    const role = new k8s.KubeRole(this, 'Role', {
      metadata: { name: this.name, namespace: props.namespace },
      rules: [
        // create cannot be narrowed by resourceNames in RBAC; reading is limited to the managed Secrets.
        { apiGroups: [''], resources: ['secrets'], verbs: ['create'] },
        { apiGroups: [''], resources: ['secrets'], verbs: ['get'], resourceNames: this.secretNames },
      ],
    });
    new k8s.KubeRoleBinding(this, 'RoleBinding', {
      metadata: { name: this.name, namespace: props.namespace },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role.name },
      subjects: [{ kind: 'ServiceAccount', name: job.serviceAccount.name, namespace: props.namespace }],
    });
  }
}

/**
 * Prints "found" and then each key that holds a value, when the Secret exists; nothing when it does
 * not (`--ignore-not-found`). kubectl's go-template printer sorts map keys.
 */
export const SECRET_KEYS_TEMPLATE = 'found{{range $k, $v := .data}}{{if $v}} {{$k}}{{end}}{{end}}';

/**
 * The generator's shell script: values go to files (mode 600) and never to the command line. A
 * Secret that exists is kept as it is, but only if every key microflow's consumers read holds a
 * value: a user-made Secret lacking one would leave pods in CreateContainerConfigError with no hint,
 * so the Job fails naming the Secret and the keys instead. (Filling in a missing key is not safe in
 * general: a password must match what the data was initialised with, and only the user knows it.)
 * Any API error other than AlreadyExists fails the Job with kubectl's message.
 */
function script(secrets: GeneratedSecretSpec[]): string {
  const lines = [
    'set -eu',
    'umask 077',
    'rand() { head -c "$1" /dev/urandom | od -An -tx1 | tr -d " \\n"; }',
    'ensure() {',
    '  name=$1; shift',
    '  dir=$(mktemp -d)',
    `  if ! found=$(kubectl -n "$NAMESPACE" get secret "$name" --ignore-not-found -o 'go-template=${SECRET_KEYS_TEMPLATE}' 2> "$dir/err"); then`,
    '    echo "cannot read secret/$name:" >&2; cat "$dir/err" >&2; rm -rf "$dir"; return 1',
    '  fi',
    '  if [ -n "$found" ]; then',
    '    rm -rf "$dir"; missing=""',
    '    for spec in "$@"; do',
    '      key=${spec%%=*}',
    '      case " ${found#found} " in *" $key "*) ;; *) missing="$missing $key" ;; esac',
    '    done',
    '    if [ -n "$missing" ]; then',
    '      echo "secret/$name exists but has no value for:$missing. Add the missing key(s) (kubectl -n $NAMESPACE edit secret $name) or delete the Secret to have it generated" >&2',
    '      return 1',
    '    fi',
    '    echo "secret/$name exists: kept as it is"; return 0',
    '  fi',
    '  args=""',
    '  for spec in "$@"; do',
    '    key=${spec%%=*}; value=${spec#*=}',
    '    case $value in random:*) rand "${value#random:}" > "$dir/$key" ;; *) printf %s "${value#fixed:}" > "$dir/$key" ;; esac',
    '    args="$args --from-file=$key=$dir/$key"',
    '  done',
    '  # shellcheck disable=SC2086',
    '  if kubectl -n "$NAMESPACE" create secret generic "$name" $args 2> "$dir/err"; then',
    '    echo "secret/$name created"',
    '  elif grep -q AlreadyExists "$dir/err"; then',
    '    echo "secret/$name was created meanwhile: kept as it is"',
    '  else',
    '    echo "cannot create secret/$name:" >&2; cat "$dir/err" >&2; rm -rf "$dir"; return 1',
    '  fi',
    '  rm -rf "$dir"',
    '}',
  ];
  for (const s of secrets) {
    const specs = Object.entries(s.data).map(([k, v]) => ('random' in v ? `${k}=random:${v.random}` : `${k}=fixed:${v.fixed}`));
    lines.push(`ensure ${s.name} ${specs.join(' ')}`);
  }
  return lines.join('\n') + '\n';
}
