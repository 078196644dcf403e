# shellcheck shell=bash
# Shared by the pipelines scripts: the pinned Argo release and where its source is. Sourced, not executed.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=../../vendor/argo-workflows/release.env
source "$ROOT/vendor/argo-workflows/release.env"
export GOTOOLCHAIN=local GOFLAGS=-mod=mod

# The CRDs the workflow-controller watches (workflow/controller/controller.go@v4.0.5: informers that
# must sync before it works). ClusterWorkflowTemplates are skipped by the controller without RBAC for
# them, WorkflowEventBindings serve only the Argo Server: KFP uses neither.
ARGO_CRDS=(workflows workflowtemplates cronworkflows workflowtasksets workflowtaskresults workflowartifactgctasks)

# Prints the directory of the pinned module in the Go module cache, downloading it (no build) if absent.
argo_source_dir() {
  command -v go >/dev/null || { echo "argo: the go command is needed to fetch ${ARGO_MODULE}@${ARGO_VERSION}" >&2; return 1; }
  go mod download -json "${ARGO_MODULE}@${ARGO_VERSION}" | node -e '
    let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
      const m = JSON.parse(s);
      if (m.Error || !m.Dir) { console.error(`argo: go mod download failed: ${m.Error}`); process.exit(1); }
      console.log(m.Dir);
    });'
}
