#!/usr/bin/env python3
"""Measure how fast the release binary answers `initialize`, and its resident memory.

Usage: cargo build --release && python3 scripts/measure-startup.py [runs]

Each run spawns target/release/hatchet-mcp with a made-up token (pointing at a closed
loopback port: initialize and tools/list never call Hatchet), sends `initialize`, and times
the reply from process spawn. It then sends `tools/list`, reads VmRSS and VmHWM from /proc,
and closes stdin. Prints the median and worst times and the peak resident set size, and the
tools/list size in bytes (compact JSON of the result).
"""
import base64, json, os, statistics, subprocess, sys, time

BINARY = os.path.join(os.path.dirname(__file__), "..", "target", "release", "hatchet-mcp")


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def token() -> str:
    claims = {"sub": "707d0855-80ab-4e1f-a156-f1c4546cbf52", "server_url": "http://127.0.0.1:9", "exp": 4102444800}
    header = b64(json.dumps({"alg": "ES256"}).encode())
    return f"{header}.{b64(json.dumps(claims).encode())}.c2lnbmF0dXJl"


def request(rid, method, params=None):
    msg = {"jsonrpc": "2.0", "id": rid, "method": method}
    if params is not None:
        msg["params"] = params
    return (json.dumps(msg) + "\n").encode()


def one_run(env):
    started = time.perf_counter()
    proc = subprocess.Popen([BINARY], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    init = {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "measure", "version": "0"}}
    proc.stdin.write(request(1, "initialize", init))
    proc.stdin.flush()
    proc.stdout.readline()
    elapsed_ms = (time.perf_counter() - started) * 1000
    proc.stdin.write(b'{"jsonrpc":"2.0","method":"notifications/initialized"}\n')
    proc.stdin.write(request(2, "tools/list"))
    proc.stdin.flush()
    tools = json.loads(proc.stdout.readline())["result"]
    status = open(f"/proc/{proc.pid}/status").read()
    mem = {line.split(":")[0]: int(line.split()[1]) for line in status.splitlines() if line.startswith(("VmRSS", "VmHWM"))}
    proc.stdin.close()
    proc.wait(timeout=5)
    return elapsed_ms, mem, len(json.dumps(tools, separators=(",", ":")))


def main():
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    for read_only in ("true", "false"):
        env = {"HATCHET_CLIENT_TOKEN": token(), "HATCHET_MCP_READ_ONLY": read_only, "PATH": os.environ.get("PATH", "")}
        results = [one_run(env) for _ in range(runs)]
        times = sorted(r[0] for r in results)
        peak = max(r[1].get("VmHWM", 0) for r in results)
        print(f"read_only={read_only}: initialize median {statistics.median(times):.2f} ms, "
              f"worst {times[-1]:.2f} ms over {runs} runs; peak RSS {peak / 1024:.1f} MiB; "
              f"tools/list {results[0][2]} bytes")


if __name__ == "__main__":
    main()
