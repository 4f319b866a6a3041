// Package report keeps what a run does: the results file (one row per
// input record, in line order), the rejects file (the records that need a
// person, ready to fix and import again), the outcomes it hands to the
// ledger (ledger.go over report/ledger), the checks that keep outputs from
// destroying anything (safety.go, lock.go), and the summary, for people and
// for monitoring, with the rows to fix grouped by cause.
package report
