//go:build noledger

package main

// keepsLedger is false in a build for measurement only: prolifi-bench
// builds the command with -tags noledger and times it beside the real one,
// so that its table shows what the ledger costs a run at full speed. Such a
// build remembers nothing between runs; never ship it.
const keepsLedger = false
