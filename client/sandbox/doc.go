// Package sandbox is an in-memory emulator of Prolifi's customers API: the
// two endpoints the importer uses, the documented auth, validation, conflict
// and rate-limit behaviour, and seeded fault injection (5xx answers, reset
// connections, responses lost after the customer was created, latency).
//
// Tests, benchmarks and `prolifi-import --local` run against it; it is the
// reference for how the real API answers, and the contract tests hold its
// answers to the project's OpenAPI description.
package sandbox
