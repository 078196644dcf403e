# shellcheck shell=bash disable=SC2034  # everything here is used by the sourcing scripts
# Versions and cache paths shared by build.sh and with-cluster.sh, so the two
# can never disagree about where the binaries live. Sourced, not executed.

K8S_VERSION=v1.28.15
# Commit of the v1.28.15 tag, stamped into the binaries for /version.
K8S_GIT_COMMIT=841856557ef0f6a399096c42635d114d6f2cf7f4
KWOK_VERSION=v0.7.0
# Kubernetes 1.28 is validated against etcd 3.5, but 3.4 is still a supported
# storage backend and is what Debian bookworm ships.
ETCD_MIN_VERSION=3.4

CACHE_ROOT="${MICROFLOW_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/microflow}"
# One directory per Kubernetes version so a version bump never mixes old and
# new binaries; kwok's stages are keyed by kwok's own version inside it.
CACHE_DIR="$CACHE_ROOT/k8s-$K8S_VERSION"
BIN_DIR="$CACHE_DIR/bin"
STAGE_DIR="$CACHE_DIR/kwok-$KWOK_VERSION-stages"

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
