"""When waiting transfers expire: slots per minute of block time, and the end-of-block walk that frees them.

A waiting transfer takes the next slot of the minute it expires in (``cust/exp/<minute>`` counts the slots,
``cust/exp/<minute>/<slot>`` names the transfer); approving or cancelling it frees its slot, so every
write is O(1). The cursor (``cust/expcursor``: minute, slot, last minute scheduled) says where the walk
resumes; each block walks at most a day of minutes, 10,000 slots and 1,000 expiries, and the cursor goes
once the last scheduled minute is behind it.
"""

from __future__ import annotations

from typing import Callable

from ...view import BlockContext, View, get_int, get_json, put_int, put_json
from . import keys

__all__ = ["schedule", "unschedule", "walk", "MAX_EXPIRIES_PER_BLOCK"]

_MINUTES_PER_BLOCK = 1440
_SLOTS_PER_BLOCK = 10_000
MAX_EXPIRIES_PER_BLOCK = 1000


def minute_of(expires: int) -> int:
    return -(-expires // 60)  # the first whole minute at or after the expiry


def schedule(view: View, address: str, transfer_id: int, expires: int) -> int:
    """Give the transfer the next slot of its minute; returns the slot."""
    minute = minute_of(expires)
    slot = get_int(view, keys.expiring(minute))
    put_int(view, keys.expiring(minute), slot + 1)
    view.set(keys.expiry_slot(minute, slot), f"{address}/{transfer_id}".encode())
    cursor = get_json(view, keys.EXPIRY_CURSOR) or {"minute": minute, "slot": 0, "last": minute}
    if minute < cursor["minute"]:  # a shorter ttl than before: walk from this minute (freed slots are skipped)
        cursor |= {"minute": minute, "slot": 0}
    put_json(view, keys.EXPIRY_CURSOR, cursor | {"last": max(cursor["last"], minute)})
    return slot


def unschedule(view: View, expires: int, slot: int) -> None:
    view.set(keys.expiry_slot(minute_of(expires), slot), None)


def walk(view: View, ctx: BlockContext, expire: Callable[[View, str, int, BlockContext], None]) -> None:
    """Expire (``expire(view, account, id, ctx)``) what is due, within this block's bounds."""
    cursor = get_json(view, keys.EXPIRY_CURSOR)
    if cursor is None:
        return
    minute, slot, last = cursor["minute"], cursor["slot"], cursor["last"]
    minutes = visited = expired = 0
    while minute <= last and minute * 60 <= ctx.time and minutes < _MINUTES_PER_BLOCK:
        used = get_int(view, keys.expiring(minute))
        while slot < used and visited < _SLOTS_PER_BLOCK and expired < MAX_EXPIRIES_PER_BLOCK:
            named = view.get(keys.expiry_slot(minute, slot))
            if named is not None:
                address, transfer_id = named.decode().split("/")
                view.set(keys.expiry_slot(minute, slot), None)
                expire(view, address, int(transfer_id), ctx)
                expired += 1
            slot, visited = slot + 1, visited + 1
        if slot < used:
            break  # this block's bounds: the next block resumes here
        view.set(keys.expiring(minute), None)
        minute, slot, minutes = minute + 1, 0, minutes + 1
    if minute > last:
        view.set(keys.EXPIRY_CURSOR, None)
    elif (minute, slot) != (cursor["minute"], cursor["slot"]):
        put_json(view, keys.EXPIRY_CURSOR, {"minute": minute, "slot": slot, "last": last})
