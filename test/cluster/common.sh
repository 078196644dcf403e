# shellcheck shell=bash disable=SC2034  # everything here is used by the sourcing scripts
# Versions and cache paths shared by build.sh and with-cluster.sh, so the two
# can never disagree about where the binaries live. Sourced, not executed.
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
      # Commit of the tag, stamped into the binaries for /version.
      K8S_GIT_COMMIT=841856557ef0f6a399096c42635d114d6f2cf7f4
      KWOK_VERSION=v0.7.0
      # 1.28 is validated against etcd 3.5 but supports 3.4.13+ (kubeadm's
      # MinExternalEtcdVersion), which is what Debian bookworm ships.
      ETCD_SOURCE=debian
      ETCD_MIN_VERSION=3.4.13
      ;;
    current | 1.37 | v1.37.2)
      K8S_SELECTOR=current
      K8S_VERSION=v1.37.2
      K8S_GIT_COMMIT=
      # v0.8.0 is kwok's newest release; it is built against client-go 0.36.
      KWOK_VERSION=v0.8.0
      # Kubernetes 1.37 needs etcd >= 3.5.24 (kubeadm's MinExternalEtcdVersion)
      # and ships with 3.7.0 (DefaultEtcdVersion): Debian's 3.4.23 is too old,
      # so the newest 3.7 patch is built from the module proxy (etcd/<version>/).
      ETCD_SOURCE=build
      ETCD_MIN_VERSION=3.5.24
      ETCD_VERSION=v3.7.3
      ;;
    *)
      echo "MICROFLOW_K8S=$1: expected one of ${K8S_SELECTORS[*]} (or v1.28.15, 1.37, v1.37.2)" >&2
      return 1
      ;;
  esac

  CACHE_ROOT="${MICROFLOW_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/microflow}"
  # One directory per Kubernetes version so a version bump never mixes old and
  # new binaries; kwok's stages are keyed by kwok's own version inside it.
  CACHE_DIR="$CACHE_ROOT/k8s-$K8S_VERSION"
  BIN_DIR="$CACHE_DIR/bin"
  STAGE_DIR="$CACHE_DIR/kwok-$KWOK_VERSION-stages"
  # The wrapper module that pins this version's control-plane binaries.
  K8S_MODULE_DIR="$HERE/k8s/$K8S_VERSION"
  if [[ $ETCD_SOURCE == build ]]; then
    ETCD_MODULE_DIR="$HERE/etcd/$ETCD_VERSION"
    # etcd is cached by its own version: several Kubernetes versions may share it.
    ETCD_BIN="$CACHE_ROOT/etcd-$ETCD_VERSION/bin/etcd"
  else
    ETCD_BIN=$(command -v etcd || echo /usr/bin/etcd)
  fi
}
select_k8s "${MICROFLOW_K8S:-1.28}" || exit 2

# Stages copied verbatim from the kwok module (kustomize/stage/...). They are
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
