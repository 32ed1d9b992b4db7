# syntax=docker/dockerfile:1
# hatchet-mcp in a container: a static musl build, then an image holding only that binary
# and the CA certificates it trusts.
#
#   docker build -t hatchet-mcp .
#   docker run -i --rm -e HATCHET_CLIENT_TOKEN hatchet-mcp
#   docker run --rm -p 8080:8080 -e HATCHET_CLIENT_SERVER_URL=https://hatchet.example.com hatchet-mcp serve
#
# `-i` keeps stdin open: MCP runs over the container's stdin and stdout. `serve` (with the
# image's HATCHET_MCP_HTTP_ADDR) is team mode: MCP over HTTP, each caller with their token.
#
# This builds from source, for a local image. The released image is `Dockerfile.release`:
# the release's own musl binaries, not a second build.

FROM rust:1.95-alpine AS build
# musl-dev: the C runtime ring's assembly and the static link need; ca-certificates: the
# bundle copied into the final image. Alpine's versions move with the base image, so they
# are not pinned here.
# hadolint ignore=DL3018
RUN apk add --no-cache musl-dev ca-certificates
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src ./src
# Cargo.toml names the bench target; its source must exist even though it is not built.
COPY benches ./benches
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked --bin hatchet-mcp \
    && cp target/release/hatchet-mcp /hatchet-mcp

FROM scratch
# TLS: reqwest verifies with rustls-platform-verifier, which on Linux reads the system
# roots through rustls-native-certs; SSL_CERT_FILE names the bundle for it.
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build /hatchet-mcp /usr/local/bin/hatchet-mcp
ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
LABEL org.opencontainers.image.title="hatchet-mcp" \
      org.opencontainers.image.description="MCP server for the Hatchet workflow engine" \
      org.opencontainers.image.source="https://github.com/hatchet-mcp/hatchet-mcp" \
      org.opencontainers.image.licenses="MIT" \
      io.modelcontextprotocol.server.name="io.github.hatchet-mcp/hatchet-mcp"
# Team mode with one argument: `docker run -p 8080:8080 -e HATCHET_CLIENT_SERVER_URL=... IMAGE serve`
# serves MCP over HTTP at :8080/mcp, each caller with their own token (docs/remote.md).
# Without arguments the image stays the stdio server (`docker run -i`), which ignores this.
ENV HATCHET_MCP_HTTP_ADDR=0.0.0.0:8080
EXPOSE 8080
USER 65534:65534
ENTRYPOINT ["/usr/local/bin/hatchet-mcp"]
