// Package importer turns an export into create-customer calls, one Result
// per record. A run's rows flow one way:
//
//	Reader (reader.go)       records from CSV, gzip or .xlsx (input.go, csvsource.go, sepline.go, xlsx.go),
//	                         decoded by gocsv behind one adapter (gocsv.go), mapped to API
//	                         fields (mapping.go, aliases.go, valuemap.go) and checked (request.go);
//	                         a header that is not on the first line is pointed out (titlerows.go)
//	→ feed (run.go)          reads rows until the input, the limit or the run ends
//	→ dispatch (dispatch.go) consults the Ledger in batches: known customers, duplicates and
//	                         maybe-sent rows finish at once; the rest are marked pending first
//	→ work (work.go)         a pool of workers, each row a small state machine (attempt.go)
//	                         paced by one Pacer (pacer.go) at the rate the search finds (ratesearch.go:
//	                         a token bucket's stretches in ratestretch.go, stated limits in
//	                         ratestated.go, one-second windows in ratewindow.go, pauses it cuts
//	                         short in ratecut.go) and decided by one policy (policy.go); the run
//	                         stops itself when the API is gone (health.go)
//	→ drain (drain.go)       the one goroutine that hands Results to the Sink
//
// Counters (counters.go) count what a run does; Snapshot feeds progress and
// the summary alike. The package knows nothing of files beyond its input:
// the Sink and the Ledger are given to it.
package importer
