// Package contract checks HTTP traffic against the project's OpenAPI
// description of the customers API (openapi.yaml beside this file), with a
// real OpenAPI 3.1 validator. Only tests import it.
package contract

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	"github.com/pb33f/libopenapi-validator/config"
	verrors "github.com/pb33f/libopenapi-validator/errors"
)

// Checker validates requests and responses. It is safe for concurrent use.
type Checker struct {
	mu sync.Mutex
	v  validator.Validator
}

// Load parses openapi.yaml and checks the document itself.
func Load() (*Checker, error) {
	_, file, _, _ := runtime.Caller(0)
	spec, err := os.ReadFile(filepath.Join(filepath.Dir(file), "openapi.yaml"))
	if err != nil {
		return nil, fmt.Errorf("read spec: %w", err)
	}
	doc, err := libopenapi.NewDocument(spec)
	if err != nil {
		return nil, fmt.Errorf("parse spec: %w", err)
	}
	v, errs := validator.NewValidator(doc, config.WithFormatAssertions())
	if len(errs) > 0 {
		return nil, fmt.Errorf("build validator: %v", errs)
	}
	if ok, verrs := v.ValidateDocument(); !ok {
		return nil, fmt.Errorf("spec is not valid OpenAPI: %s", describe(verrs))
	}
	return &Checker{v: v}, nil
}

// Request returns a description of every way r breaks the contract, or "".
// r's body is read and restored.
func (c *Checker) Request(r *http.Request) string {
	restore(&r.Body)
	c.mu.Lock()
	defer c.mu.Unlock()
	ok, errs := c.v.ValidateHttpRequestSync(r)
	restore(&r.Body)
	if ok {
		return ""
	}
	return describe(errs)
}

// Response returns how resp, the answer to r, breaks the contract, or "".
func (c *Checker) Response(r *http.Request, resp *http.Response) string {
	restore(&r.Body)
	restore(&resp.Body)
	c.mu.Lock()
	defer c.mu.Unlock()
	ok, errs := c.v.ValidateHttpResponse(r, resp)
	restore(&resp.Body)
	if ok {
		return ""
	}
	return describe(errs)
}

// restore replaces a body with a re-readable copy of itself.
func restore(body *io.ReadCloser) {
	if *body == nil || *body == http.NoBody {
		return
	}
	b, _ := io.ReadAll(*body)
	(*body).Close()
	*body = io.NopCloser(bytes.NewReader(b))
}

func describe(errs []*verrors.ValidationError) string {
	var b strings.Builder
	for i, e := range errs {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(e.Error())
		for _, f := range e.SchemaValidationErrors {
			b.WriteString(" [" + f.FieldPath + ": " + f.Reason + "]")
		}
	}
	return b.String()
}
