// Package report writes what a run did: the results file (one row per input
// record, appended and flushed as rows finish), the rejects file (the
// original records that need a person, ready to fix and import again), and
// the summary, for people and for monitoring.
package report
