# syntax=docker/dockerfile:1
# hatchet-mcp in a container: a static musl build, then an image holding only that binary
# and the CA certificates it trusts.
#
#   docker build -t hatchet-mcp .
#   docker run -i --rm -e HATCHET_CLIENT_TOKEN hatchet-mcp
#
# `-i` keeps stdin open: MCP runs over the container's stdin and stdout.
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
USER 65534:65534
ENTRYPOINT ["/usr/local/bin/hatchet-mcp"]
