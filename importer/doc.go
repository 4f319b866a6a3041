// Package importer turns a CSV export into create-customer calls: it reads
// and maps records (reader.go, mapping.go), checks them against the API's
// rules, drops repeats (dedup.go), and feeds a bounded pool of workers that
// share one rate limiter (pacer.go) and one retry policy (retry.go). Every
// input record ends as exactly one Result, handed to a single Sink.
package importer
