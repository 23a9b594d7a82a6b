"""The validator set: who signs blocks and with how many votes, changed only by governed actions.

InitChain records the genesis validators (``updates.genesis_entries``); the governed action
``set_validator_power`` adds, re-weights or removes one validator at the m-th approval, and the
block that executes it returns the change to CometBFT in FinalizeBlock's ``validator_updates``
(``updates.validator_updates``: every ``valset/`` key the block changed). CometBFT applies it two
heights later.

Refusals (codes 900-999): removing a key that is not in the set, a power the validator already
has, a second change of one key in the same block (CometBFT fails a block whose updates repeat a
key), a change that leaves no validator or more than ``MAX_VALIDATORS``, and any block whose
changes together move a third or more of the voting power the set had when the block began
(``3 * moved >= power before``). CometBFT itself only requires updates to be non-negative, unique
and to remove only known validators; the third is this chain's rule so that light clients that
trust a validator set can follow the next one (they need a third of the trusted power to have
signed) and so that newly added validators, not yet online, can never hold the third that halts
consensus.

Writes (``keys.py``)::

    valset/<pub key hex>   {"pub_key", "address", "power", "name", "since", "proposal_id"}: one validator of the set
    valsum                 {"count", "power"}: size and total voting power of the set
    valblock               {"height", "power_before", "moved", "keys"}: the changes of the latest block that made one
"""
