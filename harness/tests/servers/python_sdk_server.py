"""A small third-party-style MCP server built with the official Python SDK (PyPI `mcp` 2.x).

Run over stdio (default) or Streamable HTTP on 127.0.0.1:PORT at /mcp:

    python python_sdk_server.py [--http PORT]
"""

import argparse

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp_types import ToolAnnotations
from pydantic import BaseModel

READ_ONLY = ToolAnnotations(read_only_hint=True)

# WARNING, not the default INFO: keeps the logs (on stderr) down to real problems.
server = MCPServer("mcp-conform-python-sdk", version="0.1.0", log_level="WARNING")


class Sum(BaseModel):
    sum: float


# structured_output=False: plain text tools, without an outputSchema (only `add` has one).
@server.tool(annotations=READ_ONLY, structured_output=False)
def echo(message: str) -> str:
    """Return the message unchanged."""
    return message


# The BaseModel return type gives the tool an outputSchema and structuredContent.
@server.tool(annotations=READ_ONLY)
def add(a: float, b: float) -> Sum:
    """Add two numbers."""
    return Sum(sum=a + b)


@server.tool(annotations=READ_ONLY, structured_output=False)
def fail(message: str = "this tool always fails") -> str:
    """Always fail: the result comes back with isError set."""
    raise ToolError(message)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--http", type=int, metavar="PORT", help="serve Streamable HTTP on 127.0.0.1:PORT/mcp")
    args = parser.parse_args()
    if args.http is None:
        server.run()
    else:
        server.run("streamable-http", host="127.0.0.1", port=args.http, streamable_http_path="/mcp")
