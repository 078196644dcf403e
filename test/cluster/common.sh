# shellcheck shell=bash disable=SC2034  # everything here is used by the sourcing scripts
# The version matrix of the test cluster: which programs (scripts/programs/, recipes in
# recipes.sh) each Kubernetes version runs with. Sourced, not executed.
#
# MICROFLOW_K8S selects the Kubernetes version (default 1.28):
#   1.28     v1.28.15, the floor cdk8s-plus-28 targets; etcd from Debian, kwok v0.7.0
#   current  v1.37.2, the newest release the Go module proxy serves that builds
#            with the machine's Go 1.26.8; etcd v3.7.3 built from the proxy, kwok v0.8.0
# Full versions (v1.28.15, v1.37.2) and minors (1.37) are accepted as well.

# The selectors `npm run test:cluster` runs, in order.
K8S_SELECTORS=(1.28 current)

select_k8s() { # selector
  case "$1" in
    1.28 | v1.28.15)
      K8S_SELECTOR=1.28
      K8S_VERSION=v1.28.15
      KWOK_VERSION=v0.7.0
      # 1.28 is validated against etcd 3.5 but supports 3.4.13+ (kubeadm's
      # MinExternalEtcdVersion), which is what Debian bookworm ships.
      ETCD_PROGRAM=etcd-debian
      ;;
    current | 1.37 | v1.37.2)
      K8S_SELECTOR=current
      K8S_VERSION=v1.37.2
      # v0.8.0 is kwok's newest release; it is built against client-go 0.36.
      KWOK_VERSION=v0.8.0
      # Kubernetes 1.37 needs etcd >= 3.5.24 (kubeadm's MinExternalEtcdVersion)
      # and ships with 3.7.0 (DefaultEtcdVersion): Debian's 3.4.23 is too old,
      # so the newest 3.7 patch is built from the module proxy (etcd/<version>/).
      ETCD_PROGRAM=etcd-v3.7.3
      ;;
    *)
      echo "MICROFLOW_K8S=$1: expected one of ${K8S_SELECTORS[*]} (or v1.28.15, 1.37, v1.37.2)" >&2
      return 1
      ;;
  esac

  # Recipes scripts/programs/<name>.sh; with-cluster.sh builds them and asks build.sh --path.
  K8S_PROGRAM=k8s-$K8S_VERSION
  KWOK_PROGRAM=kwok-$KWOK_VERSION
}
select_k8s "${MICROFLOW_K8S:-1.28}" || exit 2

# Stages of the kwok module (kustomize/stage/..., copied into the kwok program's stages/). They are
# not vendored into the repo so they always match the kwok binary.
#  - node-initialize: marks a fake node Ready with the capacity it was given
#  - node-heartbeat-with-lease: refreshes node conditions (kwok also renews
#    the node Lease, see --node-lease-duration-seconds in with-cluster.sh)
#  - pod-ready: every scheduled pod becomes Running + Ready
#  - pod-complete: pods owned by a Job go on to Succeeded
#  - pod-delete: deleting pods actually goes away (there is no kubelet to do it)
STAGE_FILES=(
  node/fast/node-initialize.yaml
  node/heartbeat-with-lease/node-heartbeat-with-lease.yaml
  pod/fast/pod-ready.yaml
  pod/fast/pod-complete.yaml
  pod/fast/pod-delete.yaml
)

# Pods whose containers use this image are never made Ready (pod-ready is given a selector that
# excludes it), so tests can produce a stuck pod: e.g. `images.minio` set to it in a configuration.
NEVER_READY_IMAGE=registry.invalid/microflow/never-ready:1
