//go:build tools

// Package tools pins etcd's server module (its main package is the module root)
// so `go mod tidy` keeps the requirement.
package tools

import _ "go.etcd.io/etcd/server/v3"
