package contract

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"
)

// docURL names the description for the schema compiler; schemas in it are
// compiled by JSON pointer under this URL.
const docURL = "file:///openapi.json"

// metaSchemaRoot is the meta-schema a description is checked against:
// schema-base, the OpenAPI 3.1 schema with every Schema Object held to the
// OAS base dialect (JSON Schema 2020-12 and the OAS vocabulary).
const metaSchemaRoot = "https://spec.openapis.org/oas/3.1/schema-base/2021-04-15"

// metaSchemaFiles maps the meta-schemas' $ids to their files in testdata.
func metaSchemaFiles() map[string]string {
	return map[string]string{
		"https://spec.openapis.org/oas/3.1/schema/2021-04-15": "schema.json",
		metaSchemaRoot: "schema-base.json",
		"https://spec.openapis.org/oas/3.1/dialect/base": "dialect-base.json",
		"https://spec.openapis.org/oas/3.1/meta/base":    "meta-base.json",
	}
}

// decodeYAML turns a YAML document into the values encoding/json would give
// for the same JSON, which is what the schema compiler and validator take.
func decodeYAML(spec []byte) (any, error) {
	var v any
	if err := yaml.Unmarshal(spec, &v); err != nil {
		return nil, fmt.Errorf("parse yaml: %w", err)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("convert yaml to json: %w", err)
	}
	out, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("convert yaml to json: %w", err)
	}
	return out, nil
}

// checkDocument validates doc against the OpenAPI 3.1 meta-schema read
// from dir.
func checkDocument(doc any, dir string) error {
	c := jsonschema.NewCompiler()
	for id, name := range metaSchemaFiles() {
		f, err := os.Open(filepath.Join(dir, name))
		if err != nil {
			return fmt.Errorf("read meta-schema: %w", err)
		}
		v, err := jsonschema.UnmarshalJSON(f)
		f.Close()
		if err != nil {
			return fmt.Errorf("parse meta-schema %s: %w", name, err)
		}
		if err := c.AddResource(id, v); err != nil {
			return fmt.Errorf("add meta-schema %s: %w", name, err)
		}
	}
	meta, err := c.Compile(metaSchemaRoot)
	if err != nil {
		return fmt.Errorf("compile meta-schema: %w", err)
	}
	if err := meta.Validate(doc); err != nil {
		return fmt.Errorf("not a valid OpenAPI 3.1 description: %s", oneLine(err))
	}
	return nil
}

// schemaCompiler returns a compiler that knows doc and asserts formats, as
// a contract should: an id that is not a UUID breaks it.
func schemaCompiler(doc any) (*jsonschema.Compiler, error) {
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	if err := c.AddResource(docURL, doc); err != nil {
		return nil, fmt.Errorf("add description: %w", err)
	}
	return c, nil
}
