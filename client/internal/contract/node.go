package contract

import (
	"fmt"
	"slices"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// node is a value in the description and its JSON pointer, which is how
// the schema compiler is told where a schema lives.
type node struct {
	v   any
	ptr string
}

// at returns the member key of an object node (a nil node if absent).
func (n node) at(key string) node {
	m, _ := n.v.(map[string]any)
	return node{v: m[key], ptr: n.ptr + "/" + strings.NewReplacer("~", "~0", "/", "~1").Replace(key)}
}

func (n node) present() bool { return n.v != nil }

func (n node) str() string {
	s, _ := n.v.(string)
	return s
}

func (n node) boolean() bool {
	b, _ := n.v.(bool)
	return b
}

// keys returns an object node's member names in order.
func (n node) keys() []string {
	m, _ := n.v.(map[string]any)
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// items returns an array node's elements.
func (n node) items() []node {
	a, _ := n.v.([]any)
	out := make([]node, len(a))
	for i := range a {
		out[i] = node{v: a[i], ptr: fmt.Sprintf("%s/%d", n.ptr, i)}
	}
	return out
}

// deref follows a Reference Object ($ref to a place in the same
// description) to what it names; any other node is returned as it is.
func (n node) deref(root node) (node, error) {
	for range 10 {
		ref := n.at("$ref").str()
		if ref == "" {
			return n, nil
		}
		path, ok := strings.CutPrefix(ref, "#/")
		if !ok {
			return node{}, fmt.Errorf("reference %q: only references within the description are supported", ref)
		}
		n = root
		for _, k := range strings.Split(path, "/") {
			n = n.at(strings.NewReplacer("~1", "/", "~0", "~").Replace(k))
		}
		if !n.present() {
			return node{}, fmt.Errorf("reference %q names nothing", ref)
		}
	}
	return node{}, fmt.Errorf("references at %s go round in a loop", n.ptr)
}

// compile compiles the Schema Object at n.
func (n node) compile(c *jsonschema.Compiler) (*jsonschema.Schema, error) {
	s, err := c.Compile(docURL + "#" + n.ptr)
	if err != nil {
		return nil, fmt.Errorf("compile schema at %s: %w", n.ptr, err)
	}
	return s, nil
}
