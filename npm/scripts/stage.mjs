#!/usr/bin/env node
// Lays out the npm packages of one release, ready for `npm pack` or `npm publish`:
//
//   node npm/scripts/stage.mjs --version 1.2.3 --out DIR \
//       --binary linux-x64=path/to/hatchet-mcp [--binary win32-x64=path/to/hatchet-mcp.exe ...] \
//       [--all]
//
// DIR/hatchet-mcp is the main package (the launcher), its version and the versions of its
// optional dependencies stamped, and bin/checksums.json: the SHA-256 of each binary given,
// by platform, which the launcher checks before it runs one; DIR/<platform> is each
// platform package given a --binary, stamped likewise, with the binary copied to bin/
// (mode 755). --all (the release) fails
// unless every platform got a binary. Plain Node, no dependencies; the sources are the
// templates under npm/ (their version is 0.0.0 and never published as such).
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const npmDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const repoDir = resolve(npmDir, "..");
const platformsDir = join(npmDir, "platforms");

function usage(message) {
  console.error(`stage.mjs: ${message}`);
  console.error("usage: stage.mjs --version X.Y.Z --out DIR --binary PLATFORM=PATH... [--all]");
  process.exit(2);
}

const args = process.argv.slice(2);
let version;
let out;
let all = false;
const binaries = new Map();
for (let i = 0; i < args.length; i++) {
  const arg = args[i];
  const value = () => args[++i] ?? usage(`${arg} needs a value`);
  if (arg === "--version") version = value();
  else if (arg === "--out") out = resolve(value());
  else if (arg === "--all") all = true;
  else if (arg === "--binary") {
    const [platform, file] = value().split(/=(.*)/s);
    if (!file) usage(`--binary takes PLATFORM=PATH, not ${platform}`);
    binaries.set(platform, resolve(file));
  } else usage(`unknown argument ${arg}`);
}
if (!version) usage("--version is required");
if (!/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(version)) usage(`${version} is not a release version`);
if (!out) usage("--out is required");

const platforms = readdirSync(platformsDir).sort();
for (const platform of binaries.keys()) {
  if (!platforms.includes(platform)) usage(`unknown platform ${platform} (known: ${platforms.join(", ")})`);
}
if (all) {
  const missing = platforms.filter((p) => !binaries.has(p));
  if (missing.length) usage(`--all: no binary for ${missing.join(", ")}`);
}

const readJson = (file) => JSON.parse(readFileSync(file, "utf8"));
const writeJson = (file, value) => writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);

function fresh(dir) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  copyFileSync(join(repoDir, "LICENSE"), join(dir, "LICENSE"));
  return dir;
}

// The main package: launcher, README, and every platform as an optional dependency at
// exactly this version.
const main = readJson(join(npmDir, "hatchet-mcp", "package.json"));
main.version = version;
const declared = Object.keys(main.optionalDependencies).sort();
const expected = platforms.map((p) => `@hatchet-mcp/${p}`).sort();
if (JSON.stringify(declared) !== JSON.stringify(expected)) {
  usage(`npm/hatchet-mcp/package.json lists ${declared.join(", ")}, but npm/platforms holds ${expected.join(", ")}`);
}
for (const name of declared) main.optionalDependencies[name] = version;
const mainDir = fresh(join(out, "hatchet-mcp"));
mkdirSync(join(mainDir, "bin"));
copyFileSync(join(npmDir, "hatchet-mcp", "bin", "hatchet-mcp.js"), join(mainDir, "bin", "hatchet-mcp.js"));
chmodSync(join(mainDir, "bin", "hatchet-mcp.js"), 0o755);
copyFileSync(join(npmDir, "hatchet-mcp", "README.md"), join(mainDir, "README.md"));
writeJson(join(mainDir, "package.json"), main);
const checksums = {};
for (const [platform, binary] of [...binaries].sort()) {
  if (!existsSync(binary)) usage(`${platform}: no file at ${binary}`);
  checksums[platform] = createHash("sha256").update(readFileSync(binary)).digest("hex");
}
writeJson(join(mainDir, "bin", "checksums.json"), checksums);
console.log(mainDir);

for (const [platform, binary] of binaries) {
  if (!existsSync(binary)) usage(`${platform}: no file at ${binary}`);
  const manifest = readJson(join(platformsDir, platform, "package.json"));
  manifest.version = version;
  const dir = fresh(join(out, platform));
  const [file] = manifest.files;
  mkdirSync(join(dir, "bin"));
  copyFileSync(binary, join(dir, file));
  chmodSync(join(dir, file), 0o755);
  writeJson(join(dir, "package.json"), manifest);
  writeFileSync(
    join(dir, "README.md"),
    `# ${manifest.name}\n\nThe \`hatchet-mcp\` binary for ${manifest.os[0]} ${manifest.cpu[0]}, installed by the ` +
      "[`hatchet-mcp`](https://www.npmjs.com/package/hatchet-mcp) package. Install that one instead.\n",
  );
  console.log(dir);
}
