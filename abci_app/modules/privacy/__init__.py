"""Private transactions: the keys they are sealed to, and their rotation by governed action.

A private message (``protocol.exposure.PRIVATE``) travels sealed (``protocol.private_tx``) to the
validators' execution key of an epoch and to the regulator's view key. This module keeps which
keys those are; the pipeline (``abci_app.rules.Executor``) opens sealed txs with the node's own
private execution keys (``abci_app.privacy.ExecutionKeys``) and refuses a private message sent in
clear. ``rotate_execution_key`` moves to the next epoch at the m-th approval; the previous epoch's
txs are still read, older ones are refused.

Writes (``keys.py``)::

    sealing    {"epoch", "execution_key", "previous": {"epoch", "execution_key"} | null,
                "regulator_key", "since"}: the readers a private tx is sealed to (public)
    ptx/<tx hash>  SHA-256 of the signature and body inside an executed private tx: the commitment its
                   signer proves what was executed with (unguessable without the signature)
"""
