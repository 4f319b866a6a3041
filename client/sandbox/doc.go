// Package sandbox is an in-memory emulator of Prolifi's customers API: the
// two endpoints the importer uses, the documented auth, validation, conflict
// and rate-limit behaviour, and seeded fault injection (5xx answers, reset
// connections, responses lost after the customer was created, latency).
//
// A request passes through middleware in the order the real service
// applies it: faults drawn and latency (faults.go), the key (auth.go), the
// per-key rate limit (ratelimit.go: a token bucket, or fixed windows), the
// application's own failures, then the operation (customers.go). The limit
// can change while the emulator runs (Server.SetLimit, or LimitPath for a
// person or script).
//
// Tests, benchmarks and `prolifi-import --local` run it with Start; it is
// the reference for how the real API answers, and the contract tests hold
// its answers to the project's OpenAPI description.
package sandbox
