"""Channels (채널): ledgers shared only by the members a business purpose needs.

A company and its verification body (raw monitoring data, verification statements), two parties
of an OTC negotiation, the officials drafting an allocation before it is published: each is a
channel, a named set of member accounts whose posts only those members read. The main chain
keeps the channel's record and a commitment of every post; the payloads are sealed inside
public txs, so a member's node reads them from the blocks it already has, and a non-member's node
— or anyone with every RPC endpoint — sees ciphertext and commitments only.

Who decides what:

* **Membership is governed.** ``channel_open {name, purpose, members}`` and ``channel_members
  {name, members}`` are governed actions (proposed and approved m-of-n by officials, in clear like
  every proposal). Members are registered accounts that have published a view key
  (``set_view_key``), 2 to ``MAX_CHANNEL_MEMBERS``.
* **Keys are the members'.** No official needs to learn a channel's key: a current member posts
  ``channel_key {name, epoch, public_key, wraps}``, a fresh X25519 key pair for ``epoch = current
  + 1`` whose private half is wrapped (``protocol.channel_box.wrap_key``: a ``private_tx`` sealed
  box) once to each current member's view key. The chain checks the epoch, that the wraps name
  exactly the current members and that each wrap's one reader id is that member's view key on
  chain. It cannot see inside a wrap: a member who opens a wrap checks that it holds the private
  half of the announced public key, and if a member sent a bad wrap any member rekeys again.
* **Posts wait for a key that fits the members.** ``channel_post {name, epoch, kind, ciphertext}``
  is refused with ``CHANNEL_NEEDS_REKEY`` while the channel has no key, after a member left (so a
  removed member can never read a post made after its removal) and after members joined (so
  every member can read every new post). A post for another epoch is ``CHANNEL_WRONG_EPOCH``;
  the ciphertext must be one sealed box to the current epoch's public key, at most
  ``MAX_CHANNEL_CIPHERTEXT`` bytes (``CHANNEL_POST_TOO_LARGE``), never posted before
  (``CHANNEL_DUPLICATE_POST``). A member who joins later reads from the first epoch wrapped to
  it; a member who left keeps reading what it read before (old epochs stay wrapped to it). A
  member that publishes another view key reads new posts again after the next rekey.
* **Why not private txs.** A private tx (``protocol.private_tx``) is sealed to the validators'
  execution key and the regulator, not to the members, so members could not open it from the
  blocks. Channel messages are public; what only members read is sealed inside them
  (``protocol.exposure``: ``members``).

Writes (``keys.py``)::

    channel/<name>                      {"name","purpose","members","epoch","public_key","key_members","posts",
                                         "opened":{height,time,proposal_id}, "changed":{...,"removed"}}
    channel/<name>/key/<epoch:010d>     {"epoch","public_key","wraps":{member: hex},"by","height","time"}
    channel/<name>/post/<seq:012d>      {"seq","sha256","epoch","kind","signer","size","height","time"}
    channel/<name>/digest/<sha256>      seq of the post with that ciphertext (one post per ciphertext)

All of it is public and provable (``/state/channel/...``); the client (``ets.channels``) finds the
posts with ``tx_search "channel_post.channel='<name>'"`` and checks each ciphertext against its
commitment before opening it.
"""
