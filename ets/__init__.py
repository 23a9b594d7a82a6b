"""The shared client library: encrypted keystore and signers (``keys``), the CometBFT RPC client
(``rpc``: ``ChainClient.submit`` takes ``protocol.messages`` objects and checks them before signing),
batch registration of companies (``registry``), resumable plan upload (``plan_upload``) and what the
command lines share (``console``).

It builds on the wire package (``protocol``) and imports nothing above it: not the portal,
governance, datasets or the tools (``tests/test_layers.py``). The command line and local network
tooling are ``ets_tools``.
"""
