package main

import (
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hcldec"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/msgpack"

	"milo.example/conformance/gen/hclspec"
)

// encodeConfig does what Nomad does with a config {} block: decode the HCL
// body with the spec converted from the plugin's schema, then encode the
// value with go-cty's msgpack under its own type (PROTOCOL.md §5.2).
func encodeConfig(schema *hclspec.Spec, body string) ([]byte, cty.Value, error) {
	if schema.GetObject() == nil {
		return nil, cty.NilVal, errorf("the root spec is not an object")
	}
	spec, err := toHCLDec(schema, "")
	if err != nil {
		return nil, cty.NilVal, errorf("Cannot convert the schema to hcldec: %w", err)
	}
	file, diags := hclsyntax.ParseConfig([]byte(body), "config.hcl", hcl.InitialPos)
	if diags.HasErrors() {
		return nil, cty.NilVal, errorf("Cannot parse HCL: %s", diags.Error())
	}
	value, diags := hcldec.Decode(file.Body, spec, nil)
	if diags.HasErrors() {
		return nil, cty.NilVal, errorf("Cannot decode HCL with the schema: %s", diags.Error())
	}
	encoded, err := msgpack.Marshal(value, value.Type())
	if err != nil {
		return nil, cty.NilVal, errorf("Cannot encode with cty msgpack: %w", err)
	}
	return encoded, value, nil
}
