# shellcheck shell=bash disable=SC2034  # sets a recipe's variables for scripts/programs/build.sh
# The control-plane programs of the test cluster, one recipe per pinned version
# (scripts/programs/k8s-<version>.sh, kwok-<version>.sh, etcd-*.sh call these). common.sh's
# select_k8s names which of them a Kubernetes version of the matrix runs with.
HERE_CLUSTER="$PROGRAMS_ROOT/test/cluster"

# k8s_recipe VERSION GIT_COMMIT: kube-apiserver, kube-controller-manager, kube-scheduler and kubectl
# compiled from the Go module proxy via the wrapper module k8s/VERSION/ (its go.sum pins every
# dependency). Both version packages are stamped: component-base feeds the servers' --version and
# /version, client-go's is what kubectl reports as client.
k8s_recipe() {
  PROGRAM_VERSION=$1
  PROGRAM_SOURCE="k8s.io/kubernetes@$1 (wrapper module test/cluster/k8s/$1)"
  K8S_MODULE_DIR="$HERE_CLUSTER/k8s/$1"
  GO_LDFLAGS=""
  local pkg v=${1#v}
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    GO_LDFLAGS+=" -X $pkg.gitVersion=$1 -X $pkg.gitMajor=${v%%.*} -X $pkg.gitMinor=$(cut -d. -f2 <<<"$v")"
    GO_LDFLAGS+=" -X $pkg.gitCommit=$2 -X $pkg.gitTreeState=clean"
  done
  K8S_CMDS=(kube-apiserver kube-controller-manager kube-scheduler kubectl)
  # The main binary; the others are beside it in bin/.
  program_path() { echo "$PROGRAM_DIR/bin/kube-apiserver"; }
  # Each binary runs and reports the version (that catches builds without the -X stamping);
  # bin/.recipe catches a changed dependency pin or flag. (A new Go toolchain deliberately doesn't
  # invalidate them; use MICROFLOW_FORCE_REBUILD=1.)
  program_ok() {
    wrapper_ok "$K8S_MODULE_DIR" || return 1
    local c
    for c in "${K8S_CMDS[@]}"; do
      if [[ $c == kubectl ]]; then
        grep -q "\"gitVersion\": \"$PROGRAM_VERSION\"" <<<"$("$PROGRAM_DIR/bin/kubectl" version --client -o json)" || return 1
      else
        [[ "$("$PROGRAM_DIR/bin/$c" --version)" == "Kubernetes $PROGRAM_VERSION" ]] || return 1
      fi
    done
  }
  program_build() {
    local c pkgs=()
    for c in "${K8S_CMDS[@]}"; do pkgs+=("k8s.io/kubernetes/cmd/$c"); done
    go_build_wrapper "$K8S_MODULE_DIR" "${pkgs[@]}"
  }
}

# kwok_recipe VERSION: kwok (the fake kubelet) plus the upstream Stage YAMLs that drive it, copied
# from the same module so they always match the binary (stages/, kustomize/stage's layout).
kwok_recipe() {
  PROGRAM_VERSION=$1
  PROGRAM_SOURCE=sigs.k8s.io/kwok/cmd/kwok@$1
  program_path() { echo "$PROGRAM_DIR/bin/kwok"; }
  program_ok() {
    [[ -d $PROGRAM_DIR/stages/pod ]] && grep -q "version $PROGRAM_VERSION " <<<"$("$(program_path)" --version)"
  }
  program_build() {
    local src
    # kwok's go.mod has no replace directives, so `go install mod@version` works.
    go_install "$PROGRAM_SOURCE"
    src=$(cd / && go mod download -json "sigs.k8s.io/kwok@$PROGRAM_VERSION" | awk -F'"' '/"Dir":/ {print $4}')
    [[ -d $src/kustomize/stage ]] || programs_die "kwok: no kustomize/stage in $src"
    cp -r "$src/kustomize/stage" "$PROGRAM_SCRATCH/stages"
    chmod -R u+w "$PROGRAM_SCRATCH/stages"
  }
}

# etcd_build_recipe VERSION: etcd built from the proxy via the wrapper module etcd/VERSION/ (its root
# package is etcd's main; go.mod names it as a tool, so go.sum pins its whole dependency graph).
etcd_build_recipe() {
  PROGRAM_VERSION=$1
  PROGRAM_SOURCE="go.etcd.io/etcd/server/v3@$1 (wrapper module test/cluster/etcd/$1)"
  ETCD_MODULE_DIR="$HERE_CLUSTER/etcd/$1"
  program_path() { echo "$PROGRAM_DIR/bin/etcd"; }
  program_ok() { wrapper_ok "$ETCD_MODULE_DIR" && [[ "v$(etcd_version "$(program_path)")" == "$PROGRAM_VERSION" ]]; }
  program_build() {
    go_build_wrapper "$ETCD_MODULE_DIR" go.etcd.io/etcd/server/v3
    mv "$PROGRAM_SCRATCH/bin/server" "$PROGRAM_SCRATCH/bin/etcd"
  }
}
# etcd_debian_recipe VERSION: Debian's etcd-server package (apt-get, as root), linked into the program
# dir; 1.28 supports etcd 3.4.13+ (kubeadm's MinExternalEtcdVersion), and bookworm ships 3.4.23. The
# package's postinst may start a system etcd on 2379: that never matters, the harness's etcd runs
# with its own data dir on free ports.
etcd_debian_recipe() {
  PROGRAM_VERSION=$1
  PROGRAM_SOURCE="debian etcd-server ($1)"
  program_path() { echo "$PROGRAM_DIR/bin/etcd"; }
  program_ok() { [[ "$(etcd_version "$(program_path)")" == "$PROGRAM_VERSION" ]]; }
  program_build() {
    if ! [[ -x /usr/bin/etcd ]]; then
      [[ $EUID -eq 0 ]] && command -v apt-get >/dev/null ||
        programs_die "$PROGRAM_NAME: /usr/bin/etcd missing and apt-get install etcd-server needs root and apt"
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq etcd-server >/dev/null
    fi
    [[ "$(etcd_version /usr/bin/etcd)" == "$PROGRAM_VERSION" ]] ||
      programs_die "$PROGRAM_NAME: Debian's etcd is $(etcd_version /usr/bin/etcd), not $PROGRAM_VERSION: update scripts/programs/$PROGRAM_NAME.sh"
    mkdir -p "$PROGRAM_SCRATCH/bin"
    ln -s /usr/bin/etcd "$PROGRAM_SCRATCH/bin/etcd"
  }
}
etcd_version() { "$1" --version 2>/dev/null | awk '/^etcd Version:/ {print $3}'; }
