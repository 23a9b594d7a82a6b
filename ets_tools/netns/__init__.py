"""Validators as separate hosts on one machine, and the faults between hosts: for tests and the soak.

    links    ``Lab``: network namespaces on one switch (a bridge), partitions and broken links
    proxy    the peer-link TCP proxy (``python -m ets_tools.netns.proxy``): delay, jitter and loss by a
             seeded schedule
    hosts    ``HostNet``: a network laid out one validator per host, each host run by the compose
             entrypoint in its own namespace
    load     signed transfers in a loop, every acknowledged tx kept with its latency; block progress
    audit    every node's chain compared height by height; acknowledged txs looked up on every node

Needs root and iproute2 (``links.namespaces_unavailable`` says why not); all traffic stays inside the
lab's namespaces, on addresses in 127.100.0.0/16. Import the submodules themselves.
"""
