#!/usr/bin/env bash
# Smoke test for the harness itself: test/cluster/with-cluster.sh test/cluster/smoke.sh
# Checks that a KWOK node goes Ready, Deployments become Available, Jobs
# Complete, PodSecurity "restricted" is enforced and SA impersonation works.
set -euo pipefail

k() { "$MICROFLOW_KUBECTL" "$@"; }
step() { printf '[smoke %s] %s\n' "$(date +%H:%M:%S.%N | cut -c1-12)" "$*" >&2; }
T0=$(date +%s.%N)

# Client and server must both be the version the harness was asked for (MICROFLOW_K8S).
versions=$(k version -o json | grep -c "\"gitVersion\": \"$MICROFLOW_K8S_VERSION\"" || true)
step "server and client version: $MICROFLOW_K8S_VERSION ($versions of 2 report it)"
[[ $versions -eq 2 ]] || { echo "server/client not both $MICROFLOW_K8S_VERSION:" >&2; k version >&2; exit 1; }

step "fake node"
k apply -f - <<'EOF'
apiVersion: v1
kind: Node
metadata:
  name: kwok-node-0
  annotations:
    kwok.x-k8s.io/node: fake
  labels:
    kubernetes.io/hostname: kwok-node-0
    type: kwok
status:
  capacity: {cpu: "4", memory: 8Gi, pods: "110"}
  allocatable: {cpu: "4", memory: 8Gi, pods: "110"}
EOF
k wait --for=condition=Ready node/kwok-node-0 --timeout=60s
step "node Ready after $(awk -v s="$T0" -v e="$(date +%s.%N)" 'BEGIN{printf "%.1fs", e-s}')"
k get node kwok-node-0 -o jsonpath='{.status.capacity}{"\n"}' >&2

step "restricted namespace"
k create namespace smoke
k label namespace smoke pod-security.kubernetes.io/enforce=restricted
# ServiceAccount admission rejects pods until the controller-manager has
# created the namespace's default SA; wait for it like a real client would.
for _ in $(seq 50); do k -n smoke get sa default >/dev/null 2>&1 && break; sleep 0.1; done
k -n smoke get sa default >/dev/null

k -n smoke apply -f - <<'EOF'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      securityContext:
        runAsNonRoot: true
        runAsUser: 1000
        seccompProfile: {type: RuntimeDefault}
      containers:
      - name: web
        image: registry.example/web:1
        resources:
          requests: {cpu: 100m, memory: 64Mi}
        securityContext:
          allowPrivilegeEscalation: false
          capabilities: {drop: [ALL]}
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
spec:
  replicas: 1
  serviceName: db
  selector:
    matchLabels: {app: db}
  template:
    metadata:
      labels: {app: db}
    spec:
      securityContext:
        runAsNonRoot: true
        runAsUser: 1000
        seccompProfile: {type: RuntimeDefault}
      containers:
      - name: db
        image: registry.example/db:1
        securityContext:
          allowPrivilegeEscalation: false
          capabilities: {drop: [ALL]}
---
apiVersion: batch/v1
kind: Job
metadata:
  name: once
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      securityContext:
        runAsNonRoot: true
        runAsUser: 1000
        seccompProfile: {type: RuntimeDefault}
      containers:
      - name: once
        image: registry.example/once:1
        securityContext:
          allowPrivilegeEscalation: false
          capabilities: {drop: [ALL]}
EOF
k -n smoke wait --for=condition=Available deployment/web --timeout=60s
step "deployment Available"
k -n smoke rollout status statefulset/db --timeout=60s
step "statefulset ready"
k -n smoke wait --for=condition=Complete job/once --timeout=60s
step "job Complete"
[[ $(k -n smoke get pods -l job-name=once -o jsonpath='{.items[*].status.phase}') == Succeeded ]]
k -n smoke get pods -o wide >&2

step "privileged pod must be rejected"
if out=$(k -n smoke run priv --image=busybox --restart=Never \
  --overrides='{"spec":{"containers":[{"name":"priv","image":"busybox","securityContext":{"privileged":true}}]}}' 2>&1); then
  echo "privileged pod was admitted: $out" >&2
  exit 1
fi
grep -q 'violates PodSecurity "restricted' <<<"$out" || { echo "unexpected error: $out" >&2; exit 1; }
step "rejected: $(head -c 120 <<<"$out")..."

step "auth can-i via SA impersonation"
k -n smoke create serviceaccount sa
[[ $(k auth can-i list pods -n smoke --as=system:serviceaccount:smoke:sa || true) == no ]]
k -n smoke create role pod-reader --verb=get,list --resource=pods
k -n smoke create rolebinding sa-pod-reader --role=pod-reader --serviceaccount=smoke:sa
[[ $(k auth can-i list pods -n smoke --as=system:serviceaccount:smoke:sa) == yes ]]
step "can-i ok"

step "SA token via TokenRequest works against the API"
tok=$(k -n smoke create token sa)
k --token="$tok" --kubeconfig=/dev/null --server="$MICROFLOW_API_SERVER" \
  --certificate-authority="$MICROFLOW_CLUSTER_DIR/pki/ca.crt" -n smoke get pods >/dev/null
step "kube-root-ca.crt published: $(k -n smoke get cm kube-root-ca.crt -o name)"

step "all good in $(awk -v s="$T0" -v e="$(date +%s.%N)" 'BEGIN{printf "%.1fs", e-s}')"
