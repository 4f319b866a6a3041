package contract

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// operation is what the description says of one method on one path.
type operation struct {
	method    string
	template  []string // path segments; "{name}" stands for a parameter
	name      string   // "POST /customers", for messages
	params    []param
	body      *requestBody // nil when the operation takes none
	security  []requirement
	responses map[string]*response // by "201", "4XX" or "default"
}

// param is a path, query or header parameter.
type param struct {
	name, in string
	required bool
	schema   *jsonschema.Schema
}

type requestBody struct {
	required bool
	media    map[string]*jsonschema.Schema // by media type; nil schema: any body
}

type response struct {
	headers map[string]header
	media   map[string]*jsonschema.Schema // empty: the answer has no body
}

type header struct {
	required bool
	schema   *jsonschema.Schema
}

// methods are the operation fields of a Path Item Object.
func methods() []string {
	return []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}
}

// operations reads every operation in the description.
func operations(root node, c *jsonschema.Compiler) ([]*operation, error) {
	global, err := requirements(root, root.at("security"))
	if err != nil {
		return nil, err
	}
	var ops []*operation
	paths := root.at("paths")
	for _, p := range paths.keys() {
		item, err := paths.at(p).deref(root)
		if err != nil {
			return nil, err
		}
		for _, m := range methods() {
			if !item.at(m).present() {
				continue
			}
			op, err := readOperation(root, item, item.at(m), c, global)
			if err != nil {
				return nil, fmt.Errorf("%s %s: %w", strings.ToUpper(m), p, err)
			}
			op.method, op.name = strings.ToUpper(m), strings.ToUpper(m)+" "+p
			op.template = strings.Split(strings.Trim(p, "/"), "/")
			ops = append(ops, op)
		}
	}
	return ops, nil
}

func readOperation(root, item, n node, c *jsonschema.Compiler, global []requirement) (*operation, error) {
	op := &operation{security: global, responses: map[string]*response{}}
	if n.at("security").present() {
		var err error
		if op.security, err = requirements(root, n.at("security")); err != nil {
			return nil, err
		}
	}
	for _, list := range []node{item.at("parameters"), n.at("parameters")} {
		for _, pn := range list.items() {
			p, err := readParam(root, pn, c)
			if err != nil {
				return nil, err
			}
			op.params = append(op.params, p)
		}
	}
	if rb := n.at("requestBody"); rb.present() {
		rb, err := rb.deref(root)
		if err != nil {
			return nil, err
		}
		op.body = &requestBody{required: rb.at("required").boolean()}
		if op.body.media, err = readContent(rb.at("content"), c); err != nil {
			return nil, err
		}
	}
	for _, code := range n.at("responses").keys() {
		r, err := readResponse(root, n.at("responses").at(code), c)
		if err != nil {
			return nil, fmt.Errorf("response %s: %w", code, err)
		}
		op.responses[strings.ToUpper(code)] = r
	}
	return op, nil
}

func readParam(root, n node, c *jsonschema.Compiler) (param, error) {
	n, err := n.deref(root)
	if err != nil {
		return param{}, err
	}
	p := param{name: n.at("name").str(), in: n.at("in").str(), required: n.at("required").boolean()}
	if p.in == "header" {
		p.name = http.CanonicalHeaderKey(p.name)
	}
	if s := n.at("schema"); s.present() {
		if p.schema, err = s.compile(c); err != nil {
			return param{}, err
		}
	}
	return p, nil
}

func readResponse(root, n node, c *jsonschema.Compiler) (*response, error) {
	n, err := n.deref(root)
	if err != nil {
		return nil, err
	}
	r := &response{headers: map[string]header{}}
	for _, name := range n.at("headers").keys() {
		hn, err := n.at("headers").at(name).deref(root)
		if err != nil {
			return nil, err
		}
		h := header{required: hn.at("required").boolean()}
		if s := hn.at("schema"); s.present() {
			if h.schema, err = s.compile(c); err != nil {
				return nil, err
			}
		}
		r.headers[http.CanonicalHeaderKey(name)] = h
	}
	if r.media, err = readContent(n.at("content"), c); err != nil {
		return nil, err
	}
	return r, nil
}

// readContent compiles the schema of each media type in a content map.
func readContent(n node, c *jsonschema.Compiler) (map[string]*jsonschema.Schema, error) {
	media := map[string]*jsonschema.Schema{}
	for _, mt := range n.keys() {
		var s *jsonschema.Schema
		if sn := n.at(mt).at("schema"); sn.present() {
			var err error
			if s, err = sn.compile(c); err != nil {
				return nil, err
			}
		}
		media[strings.ToLower(mt)] = s
	}
	return media, nil
}
