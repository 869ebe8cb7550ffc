package main

import (
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/typeexpr"
	"github.com/hashicorp/hcl/v2/hcldec"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"

	"milo.example/conformance/gen/hclspec"
)

// toHCLDec converts a Spec message into an hcldec spec the way Nomad's
// hclspecutils does (PROTOCOL.md §5.1). name is the object key the spec
// sits under: attributes and blocks without a name of their own take it,
// while default, array elements and nested block specs do not pass it on.
func toHCLDec(spec *hclspec.Spec, name string) (hcldec.Spec, error) {
	switch block := spec.GetBlock().(type) {
	case *hclspec.Spec_Object:
		out := hcldec.ObjectSpec{}
		for key, child := range block.Object.GetAttributes() {
			converted, err := toHCLDec(child, key)
			if err != nil {
				return nil, errorf("%s: %w", key, err)
			}
			out[key] = converted
		}
		return out, nil
	case *hclspec.Spec_Array:
		var out hcldec.TupleSpec
		for _, child := range block.Array.GetValues() {
			converted, err := toHCLDec(child, "")
			if err != nil {
				return nil, err
			}
			out = append(out, converted)
		}
		return out, nil
	case *hclspec.Spec_Attr:
		attr := block.Attr
		ty, err := parseType(attr.GetType())
		if err != nil {
			return nil, err
		}
		return &hcldec.AttrSpec{
			Name: orName(attr.GetName(), name), Type: ty, Required: attr.GetRequired(),
		}, nil
	case *hclspec.Spec_BlockValue:
		nested, err := nestedSpec(block.BlockValue.GetNested())
		if err != nil {
			return nil, err
		}
		return &hcldec.BlockSpec{
			TypeName: orName(block.BlockValue.GetName(), name),
			Required: block.BlockValue.GetRequired(), Nested: nested,
		}, nil
	case *hclspec.Spec_BlockAttrs:
		ty, err := parseType(block.BlockAttrs.GetType())
		if err != nil {
			return nil, err
		}
		return &hcldec.BlockAttrsSpec{
			TypeName:    orName(block.BlockAttrs.GetName(), name),
			ElementType: ty, Required: block.BlockAttrs.GetRequired(),
		}, nil
	case *hclspec.Spec_BlockList:
		list := block.BlockList
		nested, err := nestedSpec(list.GetNested())
		if err != nil {
			return nil, err
		}
		return &hcldec.BlockListSpec{
			TypeName: orName(list.GetName(), name), Nested: nested,
			MinItems: int(list.GetMinItems()), MaxItems: int(list.GetMaxItems()),
		}, nil
	case *hclspec.Spec_BlockSet:
		set := block.BlockSet
		nested, err := nestedSpec(set.GetNested())
		if err != nil {
			return nil, err
		}
		return &hcldec.BlockSetSpec{
			TypeName: orName(set.GetName(), name), Nested: nested,
			MinItems: int(set.GetMinItems()), MaxItems: int(set.GetMaxItems()),
		}, nil
	case *hclspec.Spec_BlockMap:
		nested, err := nestedSpec(block.BlockMap.GetNested())
		if err != nil {
			return nil, err
		}
		if len(block.BlockMap.GetLabels()) == 0 {
			return nil, errorf("block_map %q has no labels", name)
		}
		return &hcldec.BlockMapSpec{
			TypeName:   orName(block.BlockMap.GetName(), name),
			LabelNames: block.BlockMap.GetLabels(), Nested: nested,
		}, nil
	case *hclspec.Spec_Default:
		primary, err := toHCLDec(block.Default.GetPrimary(), "")
		if err != nil {
			return nil, err
		}
		fallback, err := toHCLDec(block.Default.GetDefault(), "")
		if err != nil {
			return nil, err
		}
		return &hcldec.DefaultSpec{Primary: primary, Default: fallback}, nil
	case *hclspec.Spec_Literal:
		value, err := evalLiteral(block.Literal.GetValue())
		if err != nil {
			return nil, err
		}
		return &hcldec.LiteralSpec{Value: value}, nil
	default:
		return nil, errorf("Invalid spec block (no oneof case set)")
	}
}

func nestedSpec(spec *hclspec.Spec) (hcldec.Spec, error) {
	if spec == nil {
		return nil, errorf("block without a nested spec")
	}
	return toHCLDec(spec, "")
}

func orName(own, implied string) string {
	if own != "" {
		return own
	}
	return implied
}

func parseType(text string) (cty.Type, error) {
	expr, diags := hclsyntax.ParseExpression([]byte(text), "type", hcl.InitialPos)
	if diags.HasErrors() {
		return cty.NilType, errorf("type %q: %s", text, diags.Error())
	}
	ty, diags := typeexpr.TypeConstraint(expr)
	if diags.HasErrors() {
		return cty.NilType, errorf("type %q: %s", text, diags.Error())
	}
	return ty, nil
}

// evalContext holds a few of the functions Nomad allows in literals.
var evalContext = &hcl.EvalContext{
	Functions: map[string]function.Function{
		"abs": stdlib.AbsoluteFunc, "concat": stdlib.ConcatFunc,
		"length": stdlib.LengthFunc, "lower": stdlib.LowerFunc,
		"upper": stdlib.UpperFunc, "min": stdlib.MinFunc, "max": stdlib.MaxFunc,
	},
}

func evalLiteral(text string) (cty.Value, error) {
	expr, diags := hclsyntax.ParseExpression([]byte(text), "literal", hcl.InitialPos)
	if diags.HasErrors() {
		return cty.NilVal, errorf("literal %q: %s", text, diags.Error())
	}
	value, diags := expr.Value(evalContext)
	if diags.HasErrors() {
		return cty.NilVal, errorf("literal %q: %s", text, diags.Error())
	}
	return value, nil
}
