"""Shared ETS client library: wire format, keys, RPC client, CLI and local network tooling."""
