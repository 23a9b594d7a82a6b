"""The pipeline's own pseudo-module: nonces, chain parameters, tx results, and the codes every module uses.

Writes ``nonce/<addr>`` (``execute_tx``) and ``params`` (genesis); ``MODULE`` is in ``module.py``.
"""
