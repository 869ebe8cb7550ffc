#!/usr/bin/env bash
# Regenerates the Go types of Nomad's services (proto/nomad/) for the
# go-plugin conformance program in tests/conformance/gen/, with buf (npm,
# pinned) and protoc-gen-go / protoc-gen-go-grpc (Go module proxy, pinned).
# The output is committed, so running the tests never needs this script.
#
# Only proto/nomad/ is generated: the go-plugin services (health, stdio,
# controller, broker) and google.rpc.Status already have Go types in
# go-plugin's own dependencies, and registering the same message names twice
# makes Go's protobuf registry panic.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tools="$root/.cache/protogen"
gobin="$tools/go-bin"
mkdir -p "$tools"
if [ ! -x "$tools/node_modules/.bin/buf" ]; then
  npm install --prefix "$tools" --no-save --silent @bufbuild/buf@1.57.0
fi
# protoc-gen-go matches google.golang.org/protobuf in tests/conformance/go.mod;
# protoc-gen-go-grpc 1.3.0 emits code for grpc 1.61 (go-plugin 1.8.0's).
if [ ! -x "$gobin/protoc-gen-go" ] || [ ! -x "$gobin/protoc-gen-go-grpc" ]; then
  GOBIN="$gobin" go install google.golang.org/protobuf/cmd/protoc-gen-go@v1.36.6
  GOBIN="$gobin" go install google.golang.org/grpc/cmd/protoc-gen-go-grpc@v1.3.0
fi

module=milo.example/conformance/gen
mappings=(
  "Mnomad/base.proto=$module/base"
  "Mnomad/driver.proto=$module/drivers"
  "Mnomad/hcl_spec.proto=$module/hclspec"
  "Mnomad/structs.proto=$module/structs"
)
opts=$(printf '      - %s\n' "${mappings[@]}" "module=$module")

template=$(mktemp --suffix .yaml)
trap 'rm -f "$template"' EXIT
cat >"$template" <<YAML
version: v2
plugins:
  - local: $gobin/protoc-gen-go
    out: $root/tests/conformance/gen
    opt:
$opts
  - local: $gobin/protoc-gen-go-grpc
    out: $root/tests/conformance/gen
    opt:
$opts
YAML

rm -rf "$root/tests/conformance/gen"
(cd "$root/proto" && "$tools/node_modules/.bin/buf" generate \
  --template "$template" --path nomad .)
echo "generated $(find "$root/tests/conformance/gen" -name '*.go' | wc -l)" \
  "files in tests/conformance/gen"
