//go:build !noledger

package main

// keepsLedger is whether runs keep a ledger: always, except in the build
// prolifi-bench makes with -tags noledger to measure what the ledger costs
// (see ledgeroff.go).
const keepsLedger = true
