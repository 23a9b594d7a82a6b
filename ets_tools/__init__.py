"""The tools on top of everything: the ``ets`` command line (``cli``, ``cli_localnet``), local validator
networks (``localnet``), their first accounts (``devnet``) and the main job's demo (``demo``)."""
