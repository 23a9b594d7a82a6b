"""The participant registry: admitting accounts (governed) and sensor devices (by a verifier).

Writes (``keys.py``)::

    acct/<addr>               {"public_key", "role", "name", "since", ["company"], ["company_id"], ["sector"],
                               devices: ["site", "measures", "unit", "registered_by"]}
    count/role/<role>         number of accounts with that role
    companyid/<company_id>    address of the company with that public registry id
    name/<name key>           address registered under that name (``protocol.text.name_key``: names that differ
                              only in case, spaces or punctuation collide, so look-alike duplicates are refused)
    device/<company>/<site>/<device>   index of a company's devices
"""
