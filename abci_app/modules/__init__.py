"""Chain domains as modules, each declared in one descriptor (like a Cosmos SDK module's ``module.go``).

A domain lives in ``abci_app/modules/<domain>/``:

    module.py    the descriptor ``MODULE``: messages (roles, handler, effect, public events), governed
                 actions (check + execute), queries (path, read rule, answer), begin/end-block hooks,
                 the result codes it owns and the range reserved for its new codes, its key prefixes
    keys.py      every state key it writes, as functions (handlers and queries both use them)
    events.py    its event types and their attributes (``protocol.events.EventType``)
    handlers.py  the message handlers: small functions of (state view, signer, message, block context)
    queries.py   the answers to its query paths

``abci_app.rules`` lists the modules and assembles them (``assemble``): who may send which message,
the registry of governed actions that governance executes, the query routes, the hooks in order.
``render_rules`` (``abci_app.modules.render``) prints the assembled tables that ``rules.py`` shows
in its docstring; a test keeps the two equal. ``core`` is the pipeline's own pseudo-module (nonces,
parameters, tx results, the generic codes).

How to add a message (tried with a toy ``retire`` in transfers: exactly four files changed):

 1. ``protocol/messages/<domain>.py``: a frozen dataclass with ``TYPE``, ``from_json`` (stateless
    checks) and ``@message``; it registers itself, and clients build and sign it with ``to_json``.
 2. The module, ``abci_app/modules/<domain>/``: ``handle_x(view, signer, msg, ctx) -> bytes`` in
    ``handlers.py``, reading and writing only through ``keys.py`` functions (new keys go there and
    into its ``PREFIXES``) and emitting its public event with ``ctx.emit(EVENT(...))`` (a new event
    type goes into ``events.py``; a private message emits none and carries only the core's
    ``message`` event); then one ``MessageRule(X, roles, handle_x, effect, events=...)`` in
    ``module.py``. A new result code goes into ``protocol/codes.py``, inside the module's ``code_range``.
 3. ``abci_app/rules.py``: paste ``python -m abci_app.modules.render`` over the tables of its docstring.

Tests that list every message then ask for the new one: a sample in ``tests/protocol/test_wire_package.py``,
a step in ``tests/abci_app/chain_tour.py`` (events), the role matrix in ``test_rules_authorization.py``, the
known types in ``test_messages.py`` and, for a private message, the private list in ``test_events.py``.

A module may also declare ``outgoing_checks``: conditions on allowances leaving a holder by its own
act, which the ledger, the market and block trades consult through ``check_outgoing`` (the
compliance module blocks an account with a shortfall past its deadline, as the EU registry does).

A module may likewise declare ``incoming_checks``: conditions on allowances arriving at a holder (a buy
order, a fill, a block-trade purchase, a transfer in), consulted through ``check_incoming`` (the makers
module's holding limits by participant class).

A new domain adds its folder and one entry in ``rules.MODULES``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Callable, Iterable

from protocol.codes import Code
from protocol.constants import REPRESENTATIVE, ROLES
from protocol.events import EventType

if TYPE_CHECKING:  # only for annotations: the descriptors never touch state themselves
    from ..state import Store
    from ..view import BlockContext, View

__all__ = [
    "Module", "MessageRule", "GovernedAction", "Query", "QueryRequest", "ReadRule", "StateRead", "Hook", "OutgoingCheck",
    "Chain", "PUBLIC", "private", "assemble", "install", "governed_action", "check_outgoing",
    "IncomingCheck", "check_incoming",
]

Handler = Callable[["View", str, Any, "BlockContext"], bytes]


@dataclass(frozen=True)
class MessageRule:
    """One message: who may send it, what handles it, what it changes, which public events it emits.

    ``events`` empty means the message is private: its tx carries only the core's ``message`` event."""

    message: type  # a protocol.messages class
    roles: frozenset[str]
    handler: Handler
    effect: str
    who: str = ""  # a further condition the handler enforces, shown with the roles ("opener", "owner")
    events: tuple[EventType, ...] = ()
    executes_actions: bool = False  # may run a governed action, and so also emit that action's events
    module: str = ""  # set by ``assemble``

    def __post_init__(self) -> None:
        object.__setattr__(self, "roles", frozenset(self.roles))
        assert self.roles and self.roles <= {*ROLES, REPRESENTATIVE}, self.roles  # representative: modules/custody


@dataclass(frozen=True)
class GovernedAction:
    """A governed action carried by ``propose``: checked when proposed, executed at the m-th approval.

    ``execute`` runs its own checks again (state may have changed since the proposal) and raises
    ``TxRejected`` to fail the approving transaction as a whole. ``on_proposed`` and ``on_rejected``
    let the owning module keep its records in step with the proposal."""

    action: type  # a protocol.messages governed-action class
    check: Callable[["View", Any, "BlockContext"], None]
    execute: Callable[["View", Any, "BlockContext", dict], None]
    effect: str
    on_proposed: Callable[["View", Any, int], None] | None = None
    on_rejected: Callable[["View", Any, "BlockContext"], None] | None = None
    events: tuple[EventType, ...] = ()
    module: str = ""


@dataclass(frozen=True)
class ReadRule:
    """Who may read a query's answer: anyone, or the account the path names plus some roles.

    A private path needs a signed query; with ``listing`` set the account may be left out of the
    path (a list of every account's records), and then only ``roles`` may read it."""

    public: bool
    roles: frozenset[str] = frozenset()
    what: str = ""  # "cash balances": used in the refusal
    listing: str = ""  # the refusal when the path names no account ("" = an account is required)
    audited: bool = True  # an official's read of another account's data needs a record_access (modules/access)

    def describe(self) -> str:
        if self.public:
            return "anyone"
        text = "the account itself or " + ", ".join(sorted(self.roles))
        if self.listing:
            text += "; all accounts: " + ", ".join(sorted(self.roles))
        return text


PUBLIC = ReadRule(True)


def private(*roles: str, what: str, listing: str = "", audited: bool = True) -> ReadRule:
    """A private path: the account named in the path or an account with one of ``roles`` may read
    (an official only within a recorded access window, unless ``audited`` is False)."""
    return ReadRule(False, frozenset(roles), what, listing, audited)


@dataclass(frozen=True)
class StateRead:
    """Who may read the raw state keys under ``prefix`` with a proof (``/state/<key>``, prove=true).

    A private prefix names its account in the key's segment ``owner`` (``bal/<addr>/KAU25``: 1);
    that account and ``read.roles`` may read it. Keys no module declares cannot be read raw."""

    prefix: str
    read: ReadRule = PUBLIC
    owner: int = 1
    to_observers: bool = True  # a public key's writes go into each block's outcome (observer nodes keep them)


@dataclass
class QueryRequest:
    """What a query's answer function receives. ``subject`` is the account a private path names,
    after the read rule admitted the reader (None for public paths and for listings)."""

    store: "Store"
    path: str  # the whole path as asked, with its query string
    args: list[str]  # the path's segments after the route
    subject: str | None = None
    reader: Callable[[], tuple[str, str]] | None = None  # checks the signed query: (reader address, role)
    signed: bool = False  # the query carries a signed query (its answer is then sealed to the reader)


@dataclass(frozen=True)
class Query:
    """A query route (the path's first segment, or first two for grouped paths like ``market/depth``)."""

    route: str
    answer: Callable[[QueryRequest], Any]
    path: str  # as shown in the table: "/balances/<addr>"
    value: str  # what the answer is, shown in the table
    read: ReadRule = PUBLIC
    module: str = ""


@dataclass(frozen=True)
class Hook:
    """Work the chain does by itself in every block: ``begin`` before the txs, ``end`` after them."""

    stage: str  # "begin" | "end"
    run: Callable[["View", "BlockContext"], None]
    effect: str
    events: tuple[EventType, ...] = ()
    module: str = ""

    def __post_init__(self) -> None:
        assert self.stage in ("begin", "end"), self.stage


@dataclass(frozen=True)
class OutgoingCheck:
    """A module's condition on allowances leaving a holder by its own act (a transfer, a sell order, a
    block-trade sale): ``run(view, holder, instrument, ctx)`` raises ``TxRejected`` to refuse. Surrender is
    never limited."""

    run: Callable[["View", str, str, "BlockContext"], None]
    effect: str
    module: str = ""


@dataclass(frozen=True)
class IncomingCheck:
    """A module's condition on allowances arriving at a holder: ``run(view, holder, instrument, extra)`` raises
    ``TxRejected`` to refuse; ``extra`` counts tonnes not in state yet (a buy order about to rest)."""

    run: Callable[["View", str, str, int], None]
    effect: str
    module: str = ""


@dataclass(frozen=True)
class Module:
    """One chain domain. ``codes`` are the result codes it owns; ``code_range`` is where its new
    codes go; ``keys`` the prefixes of every state key it writes (``keys.PREFIXES``)."""

    name: str
    summary: str
    messages: tuple[MessageRule, ...] = ()
    actions: tuple[GovernedAction, ...] = ()
    queries: tuple[Query, ...] = ()
    hooks: tuple[Hook, ...] = ()
    codes: frozenset[Code] = frozenset()
    code_range: range = range(0)
    keys: tuple[str, ...] = ()
    state_reads: tuple[StateRead, ...] = ()
    outgoing_checks: tuple[OutgoingCheck, ...] = ()
    incoming_checks: tuple[IncomingCheck, ...] = ()


@dataclass(frozen=True)
class Chain:
    """The modules assembled: what the executor, governance and the query router look up."""

    modules: tuple[Module, ...]
    rules: dict[type, MessageRule] = field(default_factory=dict)
    actions: dict[type, GovernedAction] = field(default_factory=dict)
    routes: dict[str, Query] = field(default_factory=dict)
    begin_block: tuple[Hook, ...] = ()
    end_block: tuple[Hook, ...] = ()
    state_reads: tuple[StateRead, ...] = ()  # longest prefix first
    outgoing_checks: tuple[OutgoingCheck, ...] = ()
    incoming_checks: tuple[IncomingCheck, ...] = ()

    def state_read(self, key: str) -> StateRead | None:
        """Who may read ``key`` raw with a proof; None if no module declares its prefix."""
        for read in self.state_reads:
            if key.startswith(read.prefix):
                return read
        return None

    def is_public(self, key: str) -> bool:
        """Whether anyone may read ``key`` (raw, with a proof from a validator)."""
        read = self.state_read(key)
        return read is not None and read.read.public

    def to_observers(self, key: str) -> bool:
        """Whether ``key``'s writes go to observer nodes in each block's outcome: public keys, less those a
        module keeps for proofs only (the per-tx commitments of private txs)."""
        read = self.state_read(key)
        return read is not None and read.read.public and read.to_observers


def assemble(modules: Iterable[Module]) -> Chain:
    """Join the descriptors; a message, action, route or code declared twice is a programming error."""
    modules = tuple(modules)
    rules: dict[type, MessageRule] = {}
    actions: dict[type, GovernedAction] = {}
    routes: dict[str, Query] = {}
    hooks: list[Hook] = []
    owners: dict[Code, str] = {}
    for module in modules:
        for rule in module.messages:
            assert rule.message not in rules, f"{rule.message.TYPE} is declared by two modules"
            rules[rule.message] = replace(rule, module=module.name)
        for action in module.actions:
            assert action.action not in actions, f"{action.action.TYPE} is declared by two modules"
            actions[action.action] = replace(action, module=module.name)
        for query in module.queries:
            assert query.route not in routes, f"query route {query.route} is declared by two modules"
            routes[query.route] = replace(query, module=module.name)
        hooks.extend(replace(hook, module=module.name) for hook in module.hooks)
        for code in module.codes:
            assert code not in owners, f"{code.name} is owned by {owners[code]} and {module.name}"
            owners[code] = module.name
    reads = sorted((read for module in modules for read in module.state_reads), key=lambda r: (-len(r.prefix), r.prefix))
    for a, b in zip(reads, reads[1:]):
        assert a.prefix != b.prefix, f"state key prefix {a.prefix} is declared readable twice"
    checks = tuple(replace(check, module=module.name) for module in modules for check in module.outgoing_checks)
    incoming = tuple(replace(check, module=module.name) for module in modules for check in module.incoming_checks)
    return Chain(
        modules, rules, actions, routes,
        tuple(h for h in hooks if h.stage == "begin"), tuple(h for h in hooks if h.stage == "end"), tuple(reads), checks,
        incoming,
    )


_INSTALLED: list[Chain] = []


def install(chain: Chain) -> Chain:
    """Make ``chain`` the one the handlers consult (``rules.py`` installs the assembled chain once)."""
    _INSTALLED[:] = [chain]
    return chain


def governed_action(action_type: type) -> GovernedAction:
    """The declared check and execute of a governed action, from the installed chain."""
    return _INSTALLED[0].actions[action_type]


def check_outgoing(view: "View", holder: str, instrument: str, ctx: "BlockContext") -> None:
    """Every module's condition on ``instrument`` leaving ``holder`` (transfers, sell orders, block-trade
    sales call it before they move anything); raises ``TxRejected`` to refuse."""
    for check in _INSTALLED[0].outgoing_checks:
        check.run(view, holder, instrument, ctx)


def check_incoming(view: "View", holder: str, instrument: str, extra: int = 0) -> None:
    """Every module's condition on ``instrument`` arriving at ``holder`` (the ledger's credits, buy orders and
    block-trade purchases call it); raises ``TxRejected`` to refuse."""
    for check in _INSTALLED[0].incoming_checks if _INSTALLED else ():
        check.run(view, holder, instrument, extra)
