"""The ETS chain's ABCI 2.0 application (CometBFT v0.39.4) and its socket server."""
