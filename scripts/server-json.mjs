#!/usr/bin/env node
// Completes server.json for one release, before `mcp-publisher publish`:
//
//   node scripts/server-json.mjs --version 1.2.3 --mcpb path/to/hatchet-mcp-1.2.3.mcpb \
//       [--in server.json] [--out server.json]
//
// Sets the server's and every package's version (and the version inside each package
// identifier: release URL, image tag), and the mcpb package's fileSha256 to the SHA-256 of
// the bundle file. The committed server.json carries the current version and an all-zero
// placeholder hash (the schema's pattern accepts it); this script refuses to write a
// document that still holds the placeholder or whose mcpb identifier does not name the
// bundle it hashed. Plain Node, no dependencies.
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const PLACEHOLDER = "0".repeat(64);
const repoDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");

function fail(message) {
  console.error(`server-json.mjs: ${message}`);
  process.exit(2);
}

const args = process.argv.slice(2);
const options = { in: resolve(repoDir, "server.json") };
for (let i = 0; i < args.length; i++) {
  const key = args[i].replace(/^--/, "");
  if (!["version", "mcpb", "in", "out"].includes(key)) fail(`unknown argument ${args[i]}`);
  options[key] = args[++i] ?? fail(`${args[i - 1]} needs a value`);
}
if (!options.version || !options.mcpb) fail("usage: server-json.mjs --version X.Y.Z --mcpb FILE [--in F] [--out F]");
if (!/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(options.version)) fail(`${options.version} is not a release version`);
options.out ??= options.in;

const server = JSON.parse(readFileSync(options.in, "utf8"));
const previous = server.version;
const version = options.version;
server.version = version;
for (const pkg of server.packages) {
  pkg.identifier = pkg.identifier.split(previous).join(version);
  if ("version" in pkg) pkg.version = version;
}

const mcpb = server.packages.filter((pkg) => pkg.registryType === "mcpb");
if (mcpb.length !== 1) fail(`expected one mcpb package, found ${mcpb.length}`);
const bundleName = basename(options.mcpb);
if (!mcpb[0].identifier.endsWith(`/${bundleName}`)) {
  fail(`the mcpb identifier ${mcpb[0].identifier} does not name the bundle ${bundleName}`);
}
mcpb[0].fileSha256 = createHash("sha256").update(readFileSync(options.mcpb)).digest("hex");

const text = `${JSON.stringify(server, null, 2)}\n`;
if (text.includes(PLACEHOLDER)) fail("the placeholder hash is still in the document");
if (text.includes(previous) && previous !== version) fail(`version ${previous} is still in the document`);
writeFileSync(options.out, text);
console.log(`${options.out}: version ${version}, ${bundleName} sha256 ${mcpb[0].fileSha256}`);
