#!/usr/bin/env bash
# Usage: test/cluster/with-cluster.sh <command> [args...]
#
# Starts a throwaway Kubernetes control plane (etcd, kube-apiserver,
# kube-controller-manager, kube-scheduler) with KWOK standing in for kubelets,
# runs <command> against it and tears everything down again. Exits with the
# command's exit code (125 if the cluster itself could not be started).
#
# MICROFLOW_K8S picks the version (default 1.28):
#   1.28     Kubernetes v1.28.15 (the floor)
#   current  Kubernetes v1.37.2 (the newest that builds here)
#
# The command sees:
#   KUBECONFIG              admin kubeconfig (user "admin", group system:masters)
#   MICROFLOW_KUBECTL       kubectl of the same version (scripts/programs), through a
#                           wrapper that records the API server's warnings
#   MICROFLOW_KUBECTL_REAL  the same kubectl without the wrapper
#   MICROFLOW_K8S_VERSION   the Kubernetes version running (v1.28.15, v1.37.2)
#   MICROFLOW_CLUSTER_DIR   this cluster's scratch dir (pki/, logs/, kubeconfigs)
#   MICROFLOW_API_SERVER    https://127.0.0.1:<port>
#   PATH                    the Kubernetes and kwok bin dirs first (kubectl, kwok, ...)
#
# Nodes are not created for you: create a Node with the annotation
# kwok.x-k8s.io/node=fake and KWOK marks it Ready and "runs" its pods.
#
# Optional environment:
#   MICROFLOW_CLUSTER_LOGS=DIR  copy component logs to DIR on exit (e.g. CI artifacts)
#   MICROFLOW_LOG_TAIL=N        lines of each log printed on failure (default 40)
#   MICROFLOW_START_TIMEOUT=S   seconds to wait for each component (default 90)
#   MICROFLOW_FAIL_ON_API_WARNINGS=1  exit 1 if any kubectl call got an API warning
#
# (Functions below run from traps and `until`, which shellcheck cannot follow.)
# shellcheck disable=SC2317
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=common.sh
source "$HERE/common.sh"

if [[ $# -lt 1 ]]; then
  # Print the header comment above as the usage text.
  awk 'NR == 1 { next } /^#/ { if (/shellcheck|^# \(/) next; sub(/^# ?/, ""); print; next } { exit }' "$0" >&2
  exit 2
fi

START_TIMEOUT="${MICROFLOW_START_TIMEOUT:-90}"
LOG_TAIL="${MICROFLOW_LOG_TAIL:-40}"
SERVICE_CIDR=10.152.183.0/24 # microk8s' default, so service IPs look like production
SERVICE_IP=10.152.183.1      # first address: the "kubernetes" service

log() { printf '[with-cluster %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
now() { date +%s.%N; }
since() { awk -v s="$1" -v e="$(now)" 'BEGIN { printf "%.1fs", e - s }'; }

T_START=$(now)
# The version's programs (common.sh), built once into the shared cache (a warm check takes a second).
PROGRAMS="$HERE/../../scripts/programs/build.sh"
"$PROGRAMS" "$K8S_PROGRAM" "$KWOK_PROGRAM" "$ETCD_PROGRAM" || { log "could not build the control plane"; exit 125; }
BIN_DIR=$(dirname "$("$PROGRAMS" --path "$K8S_PROGRAM")")
KWOK_BIN=$("$PROGRAMS" --path "$KWOK_PROGRAM")
STAGE_DIR="$(dirname "$(dirname "$KWOK_BIN")")/stages"
ETCD_BIN=$("$PROGRAMS" --path "$ETCD_PROGRAM")
T_BUILD_DONE=$(now)

# --- scratch dir + teardown -------------------------------------------------
# tmpfs when available: etcd fsyncs every write and that dominates API latency
# on a real disk, and nothing here needs to survive the run.
scratch_base=/dev/shm
[[ -d $scratch_base && -w $scratch_base ]] || scratch_base="${TMPDIR:-/tmp}"
# A SIGKILLed wrapper cannot run its trap: its components die via PDEATHSIG
# (below) but its scratch dir stays. Reap those, recognised by a dead owner.
for d in "$scratch_base"/microflow-cluster.*; do
  [[ -f $d/owner.pid ]] || continue
  kill -0 "$(cat "$d/owner.pid" 2>/dev/null)" 2>/dev/null || rm -rf "$d" 2>/dev/null || true
done
CLUSTER_DIR=$(mktemp -d "$scratch_base/microflow-cluster.XXXXXX")
mkdir -p "$CLUSTER_DIR/logs" "$CLUSTER_DIR/pki"
echo $$ >"$CLUSTER_DIR/owner.pid"

PIDS=()   # component PIDs, in start order
NAMES=()  # matching names (= log file names)
CMD_PID=""

# stop_pid pid name: TERM, give it 10s, then KILL. Polls with `kill -0`
# rather than `wait`: inside the trap a `wait` for a child that bash already
# reaped can block until *every* other child exits (seen after Ctrl-C on a
# tty). bash reaps children while the `sleep` in the loop runs, so kill -0
# failing means the process is gone, not a zombie.
stop_pid() {
  local pid=$1 i
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < 100; i++)); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  log "$2 (pid $pid) ignored SIGTERM for 10s, killing"
  kill -KILL "$pid" 2>/dev/null
  for ((i = 0; i < 50; i++)); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  log "$2 (pid $pid) survived SIGKILL"
}

cleanup() {
  local rc=$? i
  set +e
  trap - EXIT INT TERM
  [[ -n $CMD_PID ]] && stop_pid "$CMD_PID" command
  # Reverse start order: clients first, etcd last, so nothing logs a storm of
  # connection errors on the way down.
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do stop_pid "${PIDS[i]}" "${NAMES[i]}"; done
  if [[ $rc -ne 0 ]]; then
    for f in "$CLUSTER_DIR"/logs/*.log; do
      [[ -e $f ]] || continue
      printf '\n===== %s (last %s lines) =====\n' "$(basename "$f" .log)" "$LOG_TAIL" >&2
      tail -n "$LOG_TAIL" "$f" >&2
    done
  fi
  if [[ -n ${MICROFLOW_CLUSTER_LOGS:-} ]]; then
    mkdir -p "$MICROFLOW_CLUSTER_LOGS" && cp "$CLUSTER_DIR"/logs/*.log "$MICROFLOW_CLUSTER_LOGS"/ 2>/dev/null
  fi
  rm -rf "$CLUSTER_DIR"
  exit "$rc"
}
trap cleanup EXIT
# Turn signals into an ordinary exit so the EXIT trap does the teardown once.
trap 'exit 130' INT
trap 'exit 143' TERM

# Fail cluster start-up with 125 so callers can tell "cluster broke" from
# "tests failed".
die() { log "ERROR: $*"; exit 125; }

# If this script is SIGKILLed the trap cannot run; PDEATHSIG makes the kernel
# kill the components anyway, so they never outlive us.
LAUNCH=()
if grep -q -- --pdeathsig <<<"$(setpriv --help 2>/dev/null)"; then
  LAUNCH=(setpriv --pdeathsig KILL --)
fi

start() { # name cmd args...
  local name=$1
  shift
  "${LAUNCH[@]}" "$@" >"$CLUSTER_DIR/logs/$name.log" 2>&1 &
  PIDS+=($!)
  NAMES+=("$name")
}

# wait_for name pid cmd...: poll cmd until it succeeds; bail out early if the
# component already died rather than sitting out the whole timeout.
wait_for() {
  local name=$1 pid=$2 deadline
  shift 2
  deadline=$(($(date +%s) + START_TIMEOUT))
  until "$@" >/dev/null 2>&1; do
    kill -0 "$pid" 2>/dev/null || die "$name exited during start-up"
    (($(date +%s) < deadline)) || die "$name not ready after ${START_TIMEOUT}s"
    sleep 0.2
  done
}

# --- ports ------------------------------------------------------------------
# Ask the kernel for free ports (bind to :0) instead of hard-coding, so several
# clusters can run side by side. All sockets are held open together so the
# ports are distinct; the small race until the components bind is acceptable.
free_ports() {
  if command -v python3 >/dev/null 2>&1; then
    python3 - "$1" <<'EOF'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
EOF
  else
    # Fallback: random ports below the ephemeral range that refuse connections.
    local ports=() p
    while ((${#ports[@]} < $1)); do
      p=$((20000 + RANDOM % 12000))
      [[ " ${ports[*]} " == *" $p "* ]] && continue
      (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null && continue
      ports+=("$p")
    done
    echo "${ports[*]}"
  fi
}
read -r ETCD_PORT ETCD_PEER_PORT API_PORT <<<"$(free_ports 3)"
API_SERVER="https://127.0.0.1:$API_PORT"
# The apiserver only listens on 127.0.0.1, but it publishes its advertise
# address as the endpoint of the "kubernetes" Service, and Endpoints reject
# loopback IPs. So advertise this host's own address (as kubeadm would); it is
# only data, nothing dials it. Loopback is the last resort (the Service then
# just has no endpoints).
ADVERTISE_IP=$(hostname -I 2>/dev/null | tr ' ' '\n' | grep -E '^[0-9.]+$' | grep -v '^127\.' | head -n1 || true)
ADVERTISE_IP=${ADVERTISE_IP:-127.0.0.1}

# --- credentials ------------------------------------------------------------
PKI="$CLUSTER_DIR/pki"
# Our own CA (rather than apiserver's self-signed cert) so clients can verify
# TLS, and so the controller-manager can publish it as kube-root-ca.crt.
# EC keys: generating them is instant, RSA takes noticeably longer.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
  -keyout "$PKI/ca.key" -out "$PKI/ca.crt" -days 7 -subj /CN=microflow-test-ca \
  -addext "basicConstraints=critical,CA:TRUE" \
  -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" 2>/dev/null
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
  -keyout "$PKI/apiserver.key" -subj /CN=kube-apiserver 2>/dev/null |
  openssl x509 -req -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" -days 7 -out "$PKI/apiserver.crt" \
    -extfile <(printf '%s\n' \
      "subjectAltName=IP:127.0.0.1,IP:$SERVICE_IP,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local" \
      "basicConstraints=critical,CA:FALSE" \
      "keyUsage=critical,digitalSignature,keyEncipherment" \
      "extendedKeyUsage=serverAuth") 2>/dev/null
# Service-account token signing key (RS256, what every client library expects).
openssl genrsa -out "$PKI/sa.key" 2048 2>/dev/null
openssl rsa -in "$PKI/sa.key" -pubout -out "$PKI/sa.pub" 2>/dev/null

# Static bearer tokens: no client certs to mint, and RBAC sees the same user
# names as on a kubeadm cluster, so the bootstrap ClusterRoleBindings apply.
ADMIN_TOKEN=$(openssl rand -hex 24)
KCM_TOKEN=$(openssl rand -hex 24)
SCHED_TOKEN=$(openssl rand -hex 24)
KWOK_TOKEN=$(openssl rand -hex 24)
cat >"$PKI/tokens.csv" <<EOF
$ADMIN_TOKEN,admin,uid-admin,"system:masters"
$KCM_TOKEN,system:kube-controller-manager,uid-kcm
$SCHED_TOKEN,system:kube-scheduler,uid-scheduler
$KWOK_TOKEN,kwok,uid-kwok,"system:masters"
EOF
chmod 600 "$PKI/tokens.csv" "$PKI"/*.key

CA_DATA=$(base64 -w0 <"$PKI/ca.crt")
write_kubeconfig() { # file user token
  cat >"$1" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: microflow
  cluster:
    server: $API_SERVER
    certificate-authority-data: $CA_DATA
users:
- name: $2
  user:
    token: $3
contexts:
- name: microflow
  context:
    cluster: microflow
    user: $2
    namespace: default
current-context: microflow
EOF
  chmod 600 "$1"
}
write_kubeconfig "$CLUSTER_DIR/admin.kubeconfig" admin "$ADMIN_TOKEN"
write_kubeconfig "$CLUSTER_DIR/kube-controller-manager.kubeconfig" system:kube-controller-manager "$KCM_TOKEN"
write_kubeconfig "$CLUSTER_DIR/kube-scheduler.kubeconfig" system:kube-scheduler "$SCHED_TOKEN"
write_kubeconfig "$CLUSTER_DIR/kwok.kubeconfig" kwok "$KWOK_TOKEN"

api_get() { # path: authenticated GET against the apiserver, fails on non-2xx
  curl -fsS --max-time 5 --cacert "$PKI/ca.crt" -H "Authorization: Bearer $ADMIN_TOKEN" "$API_SERVER$1"
}

# --- etcd -------------------------------------------------------------------
T=$(now)
# Explicit peer URL too: the default (:2380) would collide between clusters
# or with a system etcd.
start etcd "$ETCD_BIN" \
  --name=microflow \
  --data-dir="$CLUSTER_DIR/etcd" \
  --listen-client-urls="http://127.0.0.1:$ETCD_PORT" \
  --advertise-client-urls="http://127.0.0.1:$ETCD_PORT" \
  --listen-peer-urls="http://127.0.0.1:$ETCD_PEER_PORT" \
  --initial-advertise-peer-urls="http://127.0.0.1:$ETCD_PEER_PORT" \
  --initial-cluster="microflow=http://127.0.0.1:$ETCD_PEER_PORT" \
  --logger=zap --log-outputs=stderr
wait_for etcd "${PIDS[-1]}" curl -fsS --max-time 2 "http://127.0.0.1:$ETCD_PORT/health"
log "etcd ready on :$ETCD_PORT ($(since "$T"))"

# --- kube-apiserver ---------------------------------------------------------
T=$(now)
# Admission plugins are left at the defaults, which include PodSecurity
# (namespace pod-security.kubernetes.io/* labels are enforced) and
# ServiceAccount. The issuer's discovery document names its keys under the
# issuer's own name (the default is the advertise address, which the API
# server's certificate does not name): oauth2-proxy discovers them so in
# front-door.test.ts, as a pod resolving kubernetes.default.svc would.
start kube-apiserver "$BIN_DIR/kube-apiserver" \
  --etcd-servers="http://127.0.0.1:$ETCD_PORT" \
  --bind-address=127.0.0.1 \
  --advertise-address="$ADVERTISE_IP" \
  --secure-port="$API_PORT" \
  --cert-dir="$PKI" \
  --tls-cert-file="$PKI/apiserver.crt" \
  --tls-private-key-file="$PKI/apiserver.key" \
  --client-ca-file="$PKI/ca.crt" \
  --authorization-mode=Node,RBAC \
  --token-auth-file="$PKI/tokens.csv" \
  --service-account-issuer=https://kubernetes.default.svc.cluster.local \
  --service-account-jwks-uri=https://kubernetes.default.svc.cluster.local/openid/v1/jwks \
  --service-account-key-file="$PKI/sa.pub" \
  --service-account-signing-key-file="$PKI/sa.key" \
  --service-cluster-ip-range="$SERVICE_CIDR" \
  --allow-privileged=true
APISERVER_PID=${PIDS[-1]}
wait_for kube-apiserver "$APISERVER_PID" api_get /readyz
log "kube-apiserver ready at $API_SERVER ($(since "$T"))"

# --- controllers, scheduler, kwok --------------------------------------------
T=$(now)
# --secure-port=0: nobody scrapes their metrics/health endpoints, and not
# serving avoids more ports and certs. --use-service-account-credentials gives
# each controller its own SA (as kubeadm does) so RBAC matches real clusters.
start kube-controller-manager "$BIN_DIR/kube-controller-manager" \
  --kubeconfig="$CLUSTER_DIR/kube-controller-manager.kubeconfig" \
  --leader-elect=false \
  --secure-port=0 \
  --use-service-account-credentials=true \
  --service-account-private-key-file="$PKI/sa.key" \
  --root-ca-file="$PKI/ca.crt" \
  --cluster-signing-cert-file="$PKI/ca.crt" \
  --cluster-signing-key-file="$PKI/ca.key" \
  --service-cluster-ip-range="$SERVICE_CIDR"
KCM_PID=${PIDS[-1]}

start kube-scheduler "$BIN_DIR/kube-scheduler" \
  --kubeconfig="$CLUSTER_DIR/kube-scheduler.kubeconfig" \
  --leader-elect=false \
  --secure-port=0
SCHED_PID=${PIDS[-1]}

# Only nodes annotated kwok.x-k8s.io/node=fake are simulated, so a test can
# also create plain Node objects that stay NotReady. The lease duration makes
# kwok renew node Leases like a kubelet; without that the node lifecycle
# controller marks the node Unknown after 40s and taints it.
# pod-ready is told to leave pods running NEVER_READY_IMAGE alone (a stuck pod on demand).
sed "s|^    matchExpressions:\$|    matchExpressions:\n    - key: '.spec.containers[].image'\n      operator: 'NotIn'\n      values: ['$NEVER_READY_IMAGE']|" \
  "$STAGE_DIR/pod/fast/pod-ready.yaml" > "$CLUSTER_DIR/pod-ready.yaml"
grep -q "$NEVER_READY_IMAGE" "$CLUSTER_DIR/pod-ready.yaml" || die "could not add the never-ready selector to pod-ready.yaml"
kwok_stage_args=()
for f in "${STAGE_FILES[@]}"; do
  stage="$STAGE_DIR/$f"
  [[ "$(basename "$f")" == pod-ready.yaml ]] && stage="$CLUSTER_DIR/pod-ready.yaml"
  kwok_stage_args+=(-c "$stage")
done
start kwok "$KWOK_BIN" \
  --kubeconfig="$CLUSTER_DIR/kwok.kubeconfig" \
  --manage-all-nodes=false \
  --manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake \
  --node-lease-duration-seconds=40 \
  --cidr=10.244.0.1/16 \
  "${kwok_stage_args[@]}"
KWOK_PID=${PIDS[-1]}

# The "default" ServiceAccount appearing proves the controller-manager is up
# and able to write; until then pods in "default" would be rejected by the
# ServiceAccount admission plugin.
wait_for kube-controller-manager "$KCM_PID" api_get /api/v1/namespaces/default/serviceaccounts/default
for pid_name in "$SCHED_PID:kube-scheduler" "$KWOK_PID:kwok"; do
  kill -0 "${pid_name%%:*}" 2>/dev/null || die "${pid_name#*:} exited during start-up"
done
log "controller-manager, scheduler, kwok started ($(since "$T"))"
log "Kubernetes $K8S_VERSION (etcd $("$ETCD_BIN" --version | awk '/^etcd Version:/ {print $3}'), kwok $KWOK_VERSION) up in $(since "$T_BUILD_DONE") (build check $(awk -v s="$T_START" -v e="$T_BUILD_DONE" 'BEGIN { printf "%.1fs", e - s }')); running: $*"

# --- run the command ----------------------------------------------------------
# Every kubectl call of the command (tests, the deploy commands they spawn, scripts) goes through a
# wrapper that records the API server's warnings (deprecated APIs, unknown fields, PodSecurity
# `warn`) in api-warnings.log; MICROFLOW_FAIL_ON_API_WARNINGS=1 (run.sh sets it) fails on any.
WARNINGS_LOG="$CLUSTER_DIR/api-warnings.log"
mkdir -p "$CLUSTER_DIR/bin"
cat >"$CLUSTER_DIR/bin/kubectl" <<WRAPPER
#!/usr/bin/env bash
# kubectl $K8S_VERSION, recording the API server's warnings (see with-cluster.sh).
err=\$(mktemp "$CLUSTER_DIR/kubectl-stderr.XXXXXX")
"$BIN_DIR/kubectl" "\$@" 2>"\$err"
rc=\$?
cat "\$err" >&2
grep '^Warning: ' "\$err" | sed "s|^Warning: |kubectl \${1:-} \${2:-}: |" >>"$WARNINGS_LOG"
rm -f "\$err"
exit \$rc
WRAPPER
chmod +x "$CLUSTER_DIR/bin/kubectl"
: >"$WARNINGS_LOG"

export KUBECONFIG="$CLUSTER_DIR/admin.kubeconfig"
export MICROFLOW_KUBECTL="$CLUSTER_DIR/bin/kubectl"
# The unwrapped binary, for a test that provokes a warning on purpose.
export MICROFLOW_KUBECTL_REAL="$BIN_DIR/kubectl"
export MICROFLOW_K8S_VERSION="$K8S_VERSION"
export MICROFLOW_CLUSTER_DIR="$CLUSTER_DIR"
export MICROFLOW_API_SERVER="$API_SERVER"
export MICROFLOW_NEVER_READY_IMAGE="$NEVER_READY_IMAGE"
export PATH="$CLUSTER_DIR/bin:$BIN_DIR:$(dirname "$KWOK_BIN"):$PATH"

# Run in the background and `wait`, so a TERM/INT to this script is handled
# immediately instead of after the command finishes. Background jobs of a
# non-interactive shell get stdin from /dev/null and SIGINT/SIGQUIT ignored;
# undo both so Ctrl-C and interactive commands (e.g. `bash`) behave normally.
# PDEATHSIG=TERM so the command does not outlive a SIGKILLed wrapper either.
T=$(now)
CMD_LAUNCH=()
((${#LAUNCH[@]})) && CMD_LAUNCH=(setpriv --pdeathsig TERM --)
CMD_LAUNCH+=(env "--default-signal=INT,QUIT")
"${CMD_LAUNCH[@]}" "$@" <&0 &
CMD_PID=$!
CMD_RC=0
wait "$CMD_PID" || CMD_RC=$?
CMD_PID=""
if [[ -s $WARNINGS_LOG ]]; then
  log "the API server sent $(wc -l <"$WARNINGS_LOG") warning(s) during the command:"
  sed 's/^/  /' "$WARNINGS_LOG" >&2
  if [[ ${MICROFLOW_FAIL_ON_API_WARNINGS:-0} == 1 && $CMD_RC -eq 0 ]]; then
    log "failing: MICROFLOW_FAIL_ON_API_WARNINGS=1"
    CMD_RC=1
  fi
fi
log "command exited with $CMD_RC after $(since "$T"); stopping cluster"
exit "$CMD_RC"
