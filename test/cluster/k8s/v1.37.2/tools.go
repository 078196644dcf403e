//go:build tools

// Package tools only exists so that `go mod tidy` keeps the dependency graph of
// the control-plane commands in go.mod/go.sum. test/cluster/recipes.sh builds these packages
// directly with `go build`.
package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
