#!/usr/bin/env bash
# Regenerates src/gen/ from proto/ with ts-proto, driven by buf (both from the
# npm registry, pinned). The output is committed, so building and testing Milo
# never needs this script; run it after editing a .proto file.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tools="$root/.cache/protogen"
mkdir -p "$tools"
if [ ! -x "$tools/node_modules/.bin/protoc-gen-ts_proto" ]; then
  npm install --prefix "$tools" --no-save --silent \
    ts-proto@2.8.3 @bufbuild/buf@1.57.0
fi

template=$(mktemp --suffix .yaml)
trap 'rm -f "$template"' EXIT
cat >"$template" <<YAML
version: v2
plugins:
  - local: $tools/node_modules/.bin/protoc-gen-ts_proto
    out: $root/src/gen
    opt:
      - outputServices=grpc-js
      - esModuleInterop=true
      - importSuffix=.ts
      - forceLong=number
      - useOptionals=messages
      - oneof=unions-value
      - env=node
YAML

rm -rf "$root/src/gen"
(cd "$root/proto" && "$tools/node_modules/.bin/buf" generate --template "$template" .)

# ts-proto's grpc-js output uses Node's Buffer global, which Deno only offers
# through node:buffer.
for f in $(grep -rl 'Buffer' "$root/src/gen"); do
  printf 'import { Buffer } from "node:buffer";\n%s\n' "$(cat "$f")" >"$f"
done
# hcl_spec.proto defines a message named Object, which shadows the global.
sed -i -E 's/([^.A-Za-z_])Object\.(entries|keys|values|assign)\(/\1globalThis.Object.\2(/g' \
  "$root/src/gen/nomad/hcl_spec.ts"
echo "generated $(find "$root/src/gen" -name '*.ts' | wc -l) files in src/gen"
