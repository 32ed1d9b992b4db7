#!/usr/bin/env node
// Starts the hatchet-mcp binary that npm installed for this platform (one optional
// dependency per platform, `@hatchet-mcp/<platform>-<arch>`, the others skipped by their
// `os`/`cpu` fields) and stands between it and the MCP client: stdin, stdout and stderr are
// the binary's own (inherited, so JSON-RPC passes untouched), signals sent to this process
// are passed on, and the binary's exit status becomes this process's.
//
// Before it runs the binary it checks it: the release writes each platform binary's
// SHA-256 into checksums.json beside this file, and a binary whose hash differs (a corrupt
// download, a file swapped in node_modules) is refused, never run.
//
// HATCHET_MCP_BINARY=/path/to/hatchet-mcp runs that file instead, unchecked: a file you
// chose yourself (tests, unusual setups).
"use strict";

const { spawn } = require("node:child_process");
const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");

// The platforms with a package of their own: keep in step with npm/platforms/ (a test does).
const SUPPORTED = ["linux-x64", "linux-arm64", "darwin-x64", "darwin-arm64", "win32-x64"];
// Platforms without a native package whose OS runs another one's binary under emulation:
// Windows 11 on Arm runs x64 programs, and @hatchet-mcp/win32-x64 installs there too (its
// `cpu` names arm64 as well).
const EMULATED = { "win32-arm64": "win32-x64" };
const native = `${process.platform}-${process.arch}`;
const platform = EMULATED[native] ?? native;
const executable = process.platform === "win32" ? "hatchet-mcp.exe" : "hatchet-mcp";

function fail(lines) {
  process.stderr.write(`hatchet-mcp: ${lines.join("\nhatchet-mcp: ")}\n`);
  process.exit(1);
}

function findBinary() {
  const override = process.env.HATCHET_MCP_BINARY;
  if (override) {
    if (!fs.existsSync(override)) {
      fail([`HATCHET_MCP_BINARY names ${override}, which does not exist.`]);
    }
    return override;
  }
  const otherRoutes = [
    "Other ways to install it: `cargo install --locked hatchet-mcp`, or a prebuilt binary",
    "from https://github.com/hatchet-mcp/hatchet-mcp/releases (then set HATCHET_MCP_BINARY",
    "to its path, or run it directly).",
  ];
  if (!SUPPORTED.includes(platform)) {
    fail([
      `no prebuilt binary for this platform (${native}); there are binaries for`,
      `${SUPPORTED.join(", ")} (and win32-arm64 runs the win32-x64 one under emulation).`,
      ...otherRoutes,
    ]);
  }
  const packageName = `@hatchet-mcp/${platform}`;
  let packageDir;
  try {
    packageDir = path.dirname(require.resolve(`${packageName}/package.json`));
  } catch {
    fail([
      `the package ${packageName}, which carries the binary for ${platform}, is not installed.`,
      "npm installs it as an optional dependency of hatchet-mcp: it is missing when optional",
      "dependencies were left out (--omit=optional, --no-optional) or the lockfile was made on",
      "another platform. Reinstall with optional dependencies, e.g. `npm install hatchet-mcp`",
      "or `npx -y hatchet-mcp@latest`.",
      ...otherRoutes,
    ]);
  }
  const binary = path.join(packageDir, "bin", executable);
  if (!fs.existsSync(binary)) {
    fail([`${packageName} is installed but holds no ${path.join("bin", executable)}.`, ...otherRoutes]);
  }
  verify(binary, packageName, otherRoutes);
  return binary;
}

// Refuses to go on unless `binary` hashes to what this release recorded for the platform.
function verify(binary, packageName, otherRoutes) {
  const file = path.join(__dirname, "checksums.json");
  let expected;
  try {
    expected = JSON.parse(fs.readFileSync(file, "utf8"))[platform];
  } catch (error) {
    fail([`cannot read the release's checksums (${file}: ${error.message}), so the binary cannot be checked; not running it.`]);
  }
  if (typeof expected !== "string") {
    fail([`the release's checksums name no binary for ${platform}, so ${packageName}'s cannot be checked; not running it.`]);
  }
  const actual = crypto.createHash("sha256").update(fs.readFileSync(binary)).digest("hex");
  if (actual !== expected) {
    fail([
      `refusing to run ${binary}: its SHA-256 is ${actual}, but this release of hatchet-mcp`,
      `recorded ${expected} for ${packageName}. The file is damaged or was replaced.`,
      "Reinstall (e.g. `npx -y hatchet-mcp@latest`, after `npm cache clean --force` if it repeats).",
      ...otherRoutes,
    ]);
  }
}

function ensureExecutable(binary) {
  if (process.platform === "win32") return;
  try {
    fs.accessSync(binary, fs.constants.X_OK);
  } catch {
    // Some installers drop the mode bits; the file is ours to fix.
    try {
      fs.chmodSync(binary, 0o755);
    } catch {
      // spawn reports the real error below.
    }
  }
}

const binary = findBinary();
ensureExecutable(binary);

const child = spawn(binary, process.argv.slice(2), { stdio: "inherit", windowsHide: true });

const forwarded = ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT"].filter(
  (signal) => process.platform !== "win32" || signal !== "SIGQUIT",
);
for (const signal of forwarded) {
  process.on(signal, () => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  });
}

child.on("error", (error) => {
  const why = platform === native ? [] : [`(this machine is ${native}: the ${platform} binary needs the OS to emulate it, which Windows 11 on Arm does and Windows 10 on Arm does not)`];
  fail([`could not start ${binary}: ${error.message}`, ...why]);
});

child.on("exit", (code, signal) => {
  if (signal) {
    // End the same way the binary did, so the caller sees the signal; the handlers above
    // would swallow it, so they go first.
    for (const name of forwarded) process.removeAllListeners(name);
    process.kill(process.pid, signal);
    return;
  }
  process.exit(code === null ? 1 : code);
});
