//go:build tools

// Package tools pins kube-apiserver so `go mod tidy` keeps the requirement; the
// binary is built with `go build k8s.io/kubernetes/cmd/kube-apiserver`.
package tools

import _ "k8s.io/kubernetes/cmd/kube-apiserver"

// kubectl, for the README's commands on machines that have none (the same staging pins).
import _ "k8s.io/kubernetes/cmd/kubectl"
