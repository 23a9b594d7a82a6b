"""A node that lies: a JSON-RPC proxy on 127.0.0.1 in front of a real CometBFT node, rewriting its answers.

Tests of the light client and of ``ets verify`` point a client at ``NodeProxy.url``; ``rewrite``
gets (method, params, result) of every call and returns the result to send back.
"""

from __future__ import annotations

import base64
import copy
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable

import httpx

Rewrite = Callable[[str, dict[str, Any], dict[str, Any]], dict[str, Any]]


class NodeProxy:
    """A JSON-RPC proxy on 127.0.0.1 in front of one node: records each call and lets ``rewrite`` alter the result."""

    def __init__(self, upstream: str, rewrite: Rewrite | None = None):
        self.calls: list[tuple[str, dict[str, Any]]] = []
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (the http.server name)
                body = self.rfile.read(int(self.headers["Content-Length"]))
                request = json.loads(body)
                proxy.calls.append((request["method"], request.get("params") or {}))
                answer = httpx.post(upstream, content=body, headers={"Content-Type": "application/json"}, timeout=10).json()
                if "result" in answer and rewrite is not None:
                    answer["result"] = rewrite(request["method"], request.get("params") or {}, copy.deepcopy(answer["result"]))
                data = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def commit_heights(self) -> list[int]:
        return [int(params["height"]) for method, params in self.calls if method == "commit"]

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def state_rewrite(change: Callable[[dict[str, Any]], None]) -> Rewrite:
    """Alter the response of every ``/state/<key>`` query (its value, blinding factor, proof ops)."""
    def rewrite(method: str, params: dict[str, Any], result: dict[str, Any]) -> dict[str, Any]:
        if method == "abci_query" and str(params.get("path", "")).startswith("/state/"):
            change(result["response"])
        return result
    return rewrite


def header_rewrite(change: Callable[[dict[str, Any]], None]) -> Rewrite:
    """Alter every signed header the node serves (``/commit``)."""
    def rewrite(method: str, params: dict[str, Any], result: dict[str, Any]) -> dict[str, Any]:
        if method == "commit":
            change(result["signed_header"])
        return result
    return rewrite


def alter_proof(response: dict[str, Any]) -> None:
    """Flip one bit at the end of a state proof (its leaf's commitment)."""
    data = bytearray(base64.b64decode(response["proofOps"]["ops"][0]["data"]))
    data[-1] ^= 1
    response["proofOps"]["ops"][0]["data"] = base64.b64encode(bytes(data)).decode()
