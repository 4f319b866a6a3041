package contract

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
)

// Checker validates requests and responses against the description. It
// holds only compiled schemas, so it is safe for concurrent use.
type Checker struct {
	bases []string // server base paths, longest first
	ops   []*operation
}

// Load reads openapi.yaml, checks it against the OpenAPI 3.1 meta-schema
// and compiles its operations.
func Load() (*Checker, error) {
	_, file, _, _ := runtime.Caller(0)
	dir := filepath.Dir(file)
	spec, err := os.ReadFile(filepath.Join(dir, "openapi.yaml"))
	if err != nil {
		return nil, fmt.Errorf("read description: %w", err)
	}
	return load(spec, filepath.Join(dir, "testdata", "oas-3.1"))
}

// load builds a Checker from a description, checked against the
// meta-schema in metaDir.
func load(spec []byte, metaDir string) (*Checker, error) {
	doc, err := decodeYAML(spec)
	if err != nil {
		return nil, err
	}
	if err := checkDocument(doc, metaDir); err != nil {
		return nil, err
	}
	c, err := schemaCompiler(doc)
	if err != nil {
		return nil, err
	}
	root := node{v: doc}
	ops, err := operations(root, c)
	if err != nil {
		return nil, fmt.Errorf("read operations: %w", err)
	}
	chk := &Checker{ops: ops}
	for _, s := range root.at("servers").items() {
		u, err := url.Parse(s.at("url").str())
		if err != nil {
			return nil, fmt.Errorf("server url %q: %w", s.at("url").str(), err)
		}
		chk.bases = append(chk.bases, strings.TrimSuffix(u.EscapedPath(), "/"))
	}
	if len(chk.bases) == 0 {
		chk.bases = []string{""}
	}
	sort.Slice(chk.bases, func(i, j int) bool { return len(chk.bases[i]) > len(chk.bases[j]) })
	return chk, nil
}

// Request returns a description of every way r breaks the contract, or "".
// r's body is read and restored.
func (c *Checker) Request(r *http.Request) string {
	op, vals, msg := c.find(r)
	if op == nil {
		return msg
	}
	var errs []string
	if m := secured(op.security, r); m != "" {
		errs = append(errs, m)
	}
	errs = append(errs, op.checkParams(r, vals)...)
	if op.body != nil {
		body := restore(&r.Body)
		switch {
		case len(body) == 0 && op.body.required:
			errs = append(errs, "the request body is required")
		case len(body) > 0:
			errs = append(errs, checkBody("request body", r.Header.Get("Content-Type"), body, op.body.media)...)
		}
	}
	return strings.Join(errs, "; ")
}

// Response returns how resp, the answer to r, breaks the contract, or "".
// resp's body is read and restored.
func (c *Checker) Response(r *http.Request, resp *http.Response) string {
	op, _, msg := c.find(r)
	if op == nil {
		return msg
	}
	code := fmt.Sprint(resp.StatusCode)
	want := op.responses[code]
	if want == nil {
		want = op.responses[code[:1]+"XX"]
	}
	if want == nil {
		want = op.responses["DEFAULT"]
	}
	if want == nil {
		return fmt.Sprintf("%s does not answer %d", op.name, resp.StatusCode)
	}
	var errs []string
	for name, h := range want.headers {
		errs = append(errs, checkValue("header "+name, resp.Header.Values(name), h.required, h.schema)...)
	}
	body := restore(&resp.Body)
	switch {
	case len(want.media) == 0 && len(body) > 0:
		errs = append(errs, fmt.Sprintf("answer %d has a body, and the description gives it none", resp.StatusCode))
	case len(want.media) > 0:
		errs = append(errs, checkBody("answer "+code, resp.Header.Get("Content-Type"), body, want.media)...)
	}
	return strings.Join(errs, "; ")
}

// find returns the operation r calls and its path parameters' values, or
// nil and why there is none.
func (c *Checker) find(r *http.Request) (*operation, map[string]string, string) {
	path := r.URL.EscapedPath()
	base := ""
	for _, b := range c.bases {
		if strings.HasPrefix(path, b+"/") {
			base = b
			break
		}
	}
	if base == "" && c.bases[len(c.bases)-1] != "" {
		return nil, nil, fmt.Sprintf("path %s is under no server of the description", path)
	}
	segs := strings.Split(strings.Trim(strings.TrimPrefix(path, base), "/"), "/")
	pathFound := false
	for _, op := range c.ops {
		vals, ok := match(op.template, segs)
		if !ok {
			continue
		}
		pathFound = true
		if op.method == r.Method {
			return op, vals, ""
		}
	}
	if pathFound {
		return nil, nil, fmt.Sprintf("the description has no %s on %s", r.Method, path)
	}
	return nil, nil, fmt.Sprintf("the description has no path %s", path)
}

// match matches escaped path segments to a template, returning the
// parameters' unescaped values.
func match(template, segs []string) (map[string]string, bool) {
	if len(template) != len(segs) {
		return nil, false
	}
	vals := map[string]string{}
	for i, t := range template {
		name, isParam := strings.CutPrefix(t, "{")
		if !isParam {
			if t != segs[i] {
				return nil, false
			}
			continue
		}
		v, err := url.PathUnescape(segs[i])
		if err != nil || v == "" {
			return nil, false
		}
		vals[strings.TrimSuffix(name, "}")] = v
	}
	return vals, true
}

// restore reads a body, puts back a re-readable copy and returns it.
func restore(body *io.ReadCloser) []byte {
	if *body == nil || *body == http.NoBody {
		return nil
	}
	b, _ := io.ReadAll(*body)
	(*body).Close()
	*body = io.NopCloser(bytes.NewReader(b))
	return b
}
