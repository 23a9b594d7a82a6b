"""The shared ETS client library: encrypted keystore and signers (``keys``), the CometBFT RPC client
(``rpc``), batch registration of companies (``registry``) and resumable plan upload (``plan_upload``).

It builds on the wire package (``protocol``) and imports nothing above it: not the portal,
governance, datasets or the tools. The command line and local network tooling are ``ets_tools``.
"""
