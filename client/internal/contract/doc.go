// Package contract checks HTTP traffic against the project's OpenAPI 3.1
// description of the customers API (openapi.yaml beside this file). Only
// tests import it.
//
// Load checks the description itself against the official OpenAPI 3.1
// meta-schema (testdata/oas-3.1), then compiles each operation's schemas
// with a JSON Schema 2020-12 validator, the dialect OpenAPI 3.1 uses, with
// format assertions on. Request and Response find the operation by server
// base path, path template and method, and check what the description
// says of it: security, parameters, media types, bodies, status codes and
// headers.
package contract
