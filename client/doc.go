// Package client speaks Prolifi's public customers API over HTTP: it builds
// requests, decodes answers and turns every non-2xx answer into an *APIError
// that says whether the call may be retried.
//
// It also owns the API's documented validation rules (Validate), so that the
// importer's local checks and the sandbox emulator give the same field-level
// errors. The package imports nothing else from this module and never logs.
package client
