import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { GENERATES_SECRETS_ANNOTATION, PolicyJob, type ContainerProps, type WorkloadPolicy } from '../platform';

/**
 * One key of a generated Secret:
 * - `random`: that many random bytes, hex-encoded;
 * - `fixed`: a non-secret value such as a user name;
 * - `bcrypt`: the bcrypt hash (cost 12) of another key of the same Secret, which must be `random`
 *   (made by `htpasswd -B` in an init container, so neither value nor hash is ever rendered);
 * - `copy`: the value of a key of a Secret listed earlier (one credential shared by two namespaces).
 */
export type GeneratedValue =
  | { readonly random: number }
  | { readonly fixed: string }
  | { readonly bcrypt: string }
  | { readonly copy: { readonly secret: string; readonly key: string; readonly namespace?: string } };

/** A Secret the generator creates if, and only if, it does not exist yet. */
export interface GeneratedSecretSpec {
  /** metadata.name of the Secret. */
  readonly name: string;
  /** Namespace of the Secret. @default - the generator's namespace */
  readonly namespace?: string;
  /** Key → how its value is made. */
  readonly data: Record<string, GeneratedValue>;
  /**
   * Keys a Secret made beforehand must hold (what microflow's consumers read); a user-made Secret
   * lacking one fails the Job, naming it. @default - every key of `data`
   */
  readonly required?: string[];
}

export interface GeneratedSecretsProps {
  /** Namespace the generator runs in (and of the Secrets that name no other). */
  readonly namespace: string;
  /** The Secrets to ensure, in order (a `copy` reads a Secret listed before it). */
  readonly secrets: GeneratedSecretSpec[];
  readonly policy: WorkloadPolicy;
  /** metadata.name of the Job, its ServiceAccount, Roles and RoleBindings. @default 'microflow-secrets' */
  readonly name?: string;
}

const SAFE = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const SAFE_KEY = /^[-._a-zA-Z0-9]+$/;
const SAFE_FIXED = /^[-._@a-zA-Z0-9]*$/;
/** bcrypt cost: Dex recommends 10 or more; 12 takes ~0.25 s per user here. */
export const BCRYPT_COST = 12;
/** Where the init container leaves bcrypt pairs for the generator (a memory-backed emptyDir). */
const PREPARED = '/prepared';

/**
 * Creates credentials inside the cluster, once: each Secret is created with random values only when
 * it does not exist, so re-applying never rotates a password that data depends on, and a Secret the
 * user created beforehand wins. No value (and no hash) ever appears in the rendered manifests.
 * The Job may only create Secrets in the namespaces it writes to and read the ones it manages.
 */
export class GeneratedSecrets extends Construct {
  /**
   * Annotation on the Job listing the Secrets it manages (`name` in its own namespace,
   * `namespace/name` elsewhere), for people and for the reference checks.
   */
  public static readonly ANNOTATION = GENERATES_SECRETS_ANNOTATION;
  public readonly name: string;
  /** The managed Secrets as the annotation lists them. */
  public readonly secretNames: string[];
  public readonly job: PolicyJob;

  constructor(scope: Construct, id: string, props: GeneratedSecretsProps) {
    super(scope, id);
    this.name = props.name ?? 'microflow-secrets';
    const home = props.namespace;
    const nsOf = (s: { namespace?: string }) => s.namespace ?? home;
    validate(this.name, props.secrets, home);

    this.secretNames = props.secrets.map((s) => (nsOf(s) === home ? s.name : `${nsOf(s)}/${s.name}`));
    const hashing = props.secrets.some((s) => Object.values(s.data).some((v) => 'bcrypt' in v));
    const prepared = { name: 'prepared', mountPath: PREPARED };
    const initContainers: ContainerProps[] = hashing
      ? [{
        name: 'hash',
        image: 'htpasswd',
        resources: 'secrets',
        runsToCompletion: true,
        command: ['/bin/sh', '-c', hashScript(props.secrets, home)],
        volumeMounts: [prepared],
      }]
      : [];
    this.job = new PolicyJob(this, 'Job', {
      name: this.name,
      namespace: home,
      policy: props.policy,
      pod: {
        apiAccess: true,
        initContainers,
        containers: [
          {
            name: 'generate',
            image: 'kubectl',
            resources: 'secrets',
            runsToCompletion: true,
            command: ['/bin/sh', '-c', script(props.secrets, home)],
            env: [
              { name: 'HOME', value: '/tmp' },
              { name: 'NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
            ],
            volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }, ...(hashing ? [{ ...prepared, readOnly: true }] : [])],
          },
        ],
        volumes: [
          { name: 'tmp', emptyDir: { medium: 'Memory', sizeLimit: k8s.Quantity.fromString('16Mi') } },
          ...(hashing ? [{ name: 'prepared', emptyDir: { medium: 'Memory', sizeLimit: k8s.Quantity.fromString('1Mi') } }] : []),
        ],
      },
    });
    this.job.job.metadata.addAnnotation(GeneratedSecrets.ANNOTATION, this.secretNames.join(','));

    // One Role per namespace written to: create cannot be narrowed by resourceNames in RBAC;
    // reading is limited to the managed Secrets.
    for (const ns of [...new Set(props.secrets.map(nsOf))]) {
      const names = props.secrets.filter((s) => nsOf(s) === ns).map((s) => s.name);
      const suffix = ns === home ? '' : `-${ns}`;
      const role = new k8s.KubeRole(this, `Role${suffix}`, {
        metadata: { name: this.name, namespace: ns },
        rules: [
          { apiGroups: [''], resources: ['secrets'], verbs: ['create'] },
          { apiGroups: [''], resources: ['secrets'], verbs: ['get'], resourceNames: names },
        ],
      });
      new k8s.KubeRoleBinding(this, `RoleBinding${suffix}`, {
        metadata: { name: this.name, namespace: ns },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role.name },
        subjects: [{ kind: 'ServiceAccount', name: this.job.serviceAccount.name, namespace: home }],
      });
    }
  }
}

function validate(job: string, secrets: GeneratedSecretSpec[], home: string): void {
  if (secrets.length === 0) throw new Error(`GeneratedSecrets "${job}": no secrets to generate`);
  const seen = new Map<string, GeneratedSecretSpec>();
  for (const s of secrets) {
    const ns = s.namespace ?? home;
    if (!SAFE.test(s.name)) throw new Error(`GeneratedSecrets: "${s.name}" is not a valid Secret name`);
    if (!SAFE.test(ns)) throw new Error(`GeneratedSecrets: secret "${s.name}": "${ns}" is not a valid namespace`);
    const where = (key: string) => `GeneratedSecrets: secret "${s.name}" key "${key}"`;
    for (const [key, v] of Object.entries(s.data)) {
      if (!SAFE_KEY.test(key)) throw new Error(`GeneratedSecrets: secret "${s.name}" key "${key}" is not a valid key`);
      if ('random' in v && (!Number.isInteger(v.random) || v.random < 16 || v.random > 64)) {
        throw new Error(`${where(key)}: random length must be 16..64 bytes`);
      }
      if ('fixed' in v && !SAFE_FIXED.test(v.fixed)) throw new Error(`${where(key)}: fixed value has unsafe characters`);
      if ('bcrypt' in v) {
        const source = s.data[v.bcrypt];
        if (!source || !('random' in source)) throw new Error(`${where(key)}: bcrypt needs a random key of the same Secret, "${v.bcrypt}" is not one`);
      }
      if ('copy' in v) {
        const from = seen.get(`${v.copy.namespace ?? home}/${v.copy.secret}`);
        if (!from || !(v.copy.key in from.data) || v.copy.key.includes('.')) {
          throw new Error(`${where(key)}: copy must name a key (without dots) of a Secret listed before it, got ${v.copy.secret}/${v.copy.key}`);
        }
      }
    }
    for (const key of s.required ?? []) {
      if (!(key in s.data)) throw new Error(`GeneratedSecrets: secret "${s.name}": required key "${key}" is not one of its keys`);
    }
    seen.set(`${ns}/${s.name}`, s);
  }
}

/** Keys whose values the init container prepares: bcrypt hashes and the random values they hash. */
function preparedKeys(s: GeneratedSecretSpec): Set<string> {
  const keys = new Set<string>();
  for (const [key, v] of Object.entries(s.data)) {
    if ('bcrypt' in v) keys.add(key).add(v.bcrypt);
  }
  return keys;
}

/** Both scripts' start: strict, private files, and `rand N` (N random bytes, hex-encoded). */
const PROLOGUE = ['set -eu', 'umask 077', 'rand() { head -c "$1" /dev/urandom | od -An -tx1 | tr -d " \\n"; }'];

/** The init container's script: each password to hash, and its bcrypt hash, as files (mode 600). */
function hashScript(secrets: GeneratedSecretSpec[], home: string): string {
  const lines = [
    ...PROLOGUE,
    '# The password goes to htpasswd on stdin (-i), never on a command line.',
    `hash() { htpasswd -niBC ${BCRYPT_COST} x < "$1" | sed -n 's/^x://p' | tr -d '\\n' > "$2"`,
    '  case $(cat "$2") in \'$2y$\'*) ;; *) echo "htpasswd made no bcrypt hash of $1" >&2; exit 1 ;; esac; }',
  ];
  for (const s of secrets) {
    const keys = preparedKeys(s);
    if (!keys.size) continue;
    const dir = `${PREPARED}/${s.namespace ?? home}/${s.name}`;
    lines.push(`mkdir -p ${dir}`);
    for (const key of keys) {
      const v = s.data[key];
      if ('random' in v) lines.push(`rand ${v.random} > ${dir}/${key}`);
    }
    for (const key of keys) {
      const v = s.data[key];
      if ('bcrypt' in v) lines.push(`hash ${dir}/${v.bcrypt} ${dir}/${key}`);
    }
  }
  return lines.join('\n') + '\n';
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
function script(secrets: GeneratedSecretSpec[], home: string): string {
  const lines = [
    ...PROLOGUE,
    '# ensure NAMESPACE NAME KEY=SPEC...: creates the Secret only if it does not exist.',
    'ensure() {',
    '  ns=$1; name=$2; shift 2',
    '  dir=$(mktemp -d)',
    `  if ! found=$(kubectl -n "$ns" get secret "$name" --ignore-not-found -o 'go-template=${SECRET_KEYS_TEMPLATE}' 2> "$dir/err"); then`,
    '    echo "cannot read secret/$name ($ns):" >&2; cat "$dir/err" >&2; rm -rf "$dir"; return 1',
    '  fi',
    '  if [ -n "$found" ]; then',
    '    rm -rf "$dir"; missing=""',
    '    for spec in "$@"; do',
    '      case $spec in "~"*) continue ;; esac  # optional: a Secret made beforehand may lack it',
    '      key=${spec%%=*}',
    '      case " ${found#found} " in *" $key "*) ;; *) missing="$missing $key" ;; esac',
    '    done',
    '    if [ -n "$missing" ]; then',
    '      echo "secret/$name ($ns) exists but has no value for:$missing. Add the missing key(s) (kubectl -n $ns edit secret $name) or delete the Secret to have it generated" >&2',
    '      return 1',
    '    fi',
    '    echo "secret/$name ($ns) exists: kept as it is"; return 0',
    '  fi',
    '  args=""',
    '  for spec in "$@"; do',
    '    spec=${spec#"~"}; key=${spec%%=*}; value=${spec#*=}',
    '    case $value in',
    '      random:*) rand "${value#random:}" > "$dir/$key" ;;',
    `      prepared) cp "${PREPARED}/$ns/$name/$key" "$dir/$key" ;;`,
    '      copy:*) src=${value#copy:}; kubectl -n "${src%%/*}" get secret "$(echo "$src" | cut -d/ -f2)" -o "jsonpath={.data.${src##*/}}" | base64 -d > "$dir/$key"',
    '        [ -s "$dir/$key" ] || { echo "secret/$name ($ns): no value to copy from $src" >&2; rm -rf "$dir"; return 1; } ;;',
    '      *) printf %s "${value#fixed:}" > "$dir/$key" ;;',
    '    esac',
    '    args="$args --from-file=$key=$dir/$key"',
    '  done',
    '  # shellcheck disable=SC2086',
    '  if kubectl -n "$ns" create secret generic "$name" $args 2> "$dir/err"; then',
    '    echo "secret/$name ($ns) created"',
    '  elif grep -q AlreadyExists "$dir/err"; then',
    '    echo "secret/$name ($ns) was created meanwhile: kept as it is"',
    '  else',
    '    echo "cannot create secret/$name ($ns):" >&2; cat "$dir/err" >&2; rm -rf "$dir"; return 1',
    '  fi',
    '  rm -rf "$dir"',
    '}',
  ];
  for (const s of secrets) {
    const ns = s.namespace ?? home;
    const prepared = preparedKeys(s);
    const specs = Object.entries(s.data).map(([k, v]) => {
      if (prepared.has(k)) return `${k}=prepared`;
      if ('random' in v) return `${k}=random:${v.random}`;
      if ('copy' in v) return `${k}=copy:${v.copy.namespace ?? home}/${v.copy.secret}/${v.copy.key}`;
      if ('fixed' in v) return `${k}=fixed:${v.fixed}`;
      throw new Error(`GeneratedSecrets: secret "${s.name}" key "${k}": unhandled value`);
    }).map((spec) => (s.required && !s.required.includes(spec.slice(0, spec.indexOf('='))) ? `~${spec}` : spec));
    // The namespace is literal except for the generator's own (the downward API says which one that is).
    lines.push(`ensure ${ns === home ? '"$NAMESPACE"' : ns} ${s.name} ${specs.join(' ')}`);
  }
  return lines.join('\n') + '\n';
}
