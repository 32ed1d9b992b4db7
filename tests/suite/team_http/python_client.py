"""The Python MCP SDK's Streamable HTTP client against team mode: lists the tools, calls
get_run_status with the caller's own token (HATCHET_TOKEN), prints one JSON line."""

import asyncio
import json
import os
import sys

import httpx2
from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client


async def main(url: str, run_id: str) -> None:
    headers = {"Authorization": f"Bearer {os.environ['HATCHET_TOKEN']}"}
    async with httpx2.AsyncClient(headers=headers, timeout=30) as http:
        async with streamable_http_client(url, http_client=http) as (read, write, *_):
            async with ClientSession(read, write) as session:
                await session.initialize()
                tools = await session.list_tools()
                result = await session.call_tool("get_run_status", {"workflow_run_id": run_id})
                if result.is_error:
                    raise SystemExit(f"tool error: {result.content}")
                text = "".join(c.text for c in result.content if c.type == "text")
                print(json.dumps({"tools": len(tools.tools), "status": text}))


asyncio.run(main(sys.argv[1], sys.argv[2]))
