"""State keys of the compliance cycle: years, reports, assignments, statements, certifications, positions,
results, blocks, scorecards, offsets, objections. Public unless noted (``module.py`` declares the reads)."""

from __future__ import annotations

__all__ = [
    "PREFIXES", "PUBLIC_PREFIXES", "POSITIONS", "OPEN_YEARS", "OFFSET_SEQ", "OBJECTION_SEQ", "YEARS", "REPORTS",
    "CERTIFICATIONS", "RESULTS", "SCORES", "OFFSETS", "OBJECTIONS", "RETIRED", "BLOCKED", "ASSIGNMENTS",
    "year", "report", "assignment", "assigned_to", "assigned_to_prefix", "statement", "certification", "certified",
    "position", "result", "blocked", "score", "retired", "offset", "objection", "objection_eorder", "address_in",
    "instrument_in", "ADJUSTMENTS", "adjustment", "of_company",
]

YEARS = "cmp/year/"
OPEN_YEARS = "cmp/open"  # years whose settlement has not finished, sorted
REPORTS = "cmp/report/"
ASSIGNMENTS = "cmp/assign/"
BY_VERIFIER = "cmp/byverifier/"
STATEMENTS = "cmp/stmt/"
CERTIFICATIONS = "cmp/cert/"
CERTIFIED = "cmp/certified/"
POSITIONS = "cmp/pos/"  # private: what a company surrendered, borrowed and banked
RESULTS = "cmp/result/"
BLOCKED = "cmp/blocked/"
SCORES = "cmp/score/"
RETIRED = "cmp/retired/"
OFFSETS = "cmp/offset/"
OFFSET_SEQ = "cmp/seq/offset"
OBJECTIONS = "cmp/obj/"
OBJECTION_SEQ = "cmp/seq/objection"
OBJECTION_EORDERS = "cmp/eorder/"
ADJUSTMENTS = "cmp/adjust/"

PUBLIC_PREFIXES = (YEARS, OPEN_YEARS, REPORTS, ASSIGNMENTS, BY_VERIFIER, STATEMENTS, CERTIFICATIONS, CERTIFIED,
                   RESULTS, BLOCKED, SCORES, RETIRED, OFFSETS, OFFSET_SEQ, OBJECTIONS, OBJECTION_SEQ, OBJECTION_EORDERS, ADJUSTMENTS)
PREFIXES = PUBLIC_PREFIXES + (POSITIONS,)


def year(y: int) -> str:
    """The year's calendar (report and surrender deadlines) and its settlement."""
    return f"{YEARS}{y}"


def report(company: str, y: int) -> str:
    """The company's annual emissions report, with its earlier versions."""
    return f"{REPORTS}{company}/{y}"


def assignment(company: str, y: int) -> str:
    """The verification body assigned to the company for the year."""
    return f"{ASSIGNMENTS}{company}/{y}"


def assigned_to(verifier: str, y: int, company: str) -> str:
    """Index of a verification body's companies (value b"1")."""
    return f"{BY_VERIFIER}{verifier}/{y}/{company}"


def assigned_to_prefix(verifier: str, y: int | None = None) -> str:
    return f"{BY_VERIFIER}{verifier}/" + ("" if y is None else f"{y}/")


def statement(company: str, y: int) -> str:
    return f"{STATEMENTS}{company}/{y}"


def certification(company: str, y: int) -> str:
    """The certified emissions: the figure that must be surrendered, with its history."""
    return f"{CERTIFICATIONS}{company}/{y}"


def certified(y: int) -> str:
    """The year's certified companies, sorted (settlement walks it)."""
    return f"{CERTIFIED}{y}"


def position(company: str, y: int) -> str:
    """Private: surrendered per instrument, KCU counted, borrowed, banked."""
    return f"{POSITIONS}{company}/{y}"


def result(company: str, y: int) -> str:
    """Public after the deadline: status code, surrendered, shortfall, penalty."""
    return f"{RESULTS}{company}/{y}"


def blocked(company: str) -> str:
    """The years whose shortfall blocks the company's transfers out (absent = not blocked)."""
    return f"{BLOCKED}{company}"


def score(verifier: str) -> str:
    return f"{SCORES}{verifier}"


def retired(instrument: str) -> str:
    """Tonnes of an instrument surrendered in total (cancelled; still counted in its supply)."""
    return f"{RETIRED}{instrument}"


def offset(seq: int) -> str:
    """An offset issuance or conversion record."""
    return f"{OFFSETS}{seq:012d}"


def objection(objection_id: int) -> str:
    return f"{OBJECTIONS}{objection_id:012d}"


def objection_eorder(objection_id: int) -> str:
    """The e-order that carried out an upheld objection (its audit trail)."""
    return f"{OBJECTION_EORDERS}{objection_id:012d}"


def address_in(key: str) -> str:
    """The company address of a report, certification, result, position or blocked key."""
    return key.split("/")[2]


def instrument_in(key: str) -> str:
    return key.rsplit("/", 1)[1]


def adjustment(company: str, y: int) -> str:
    """Tonnes of the year's vintage added (true-up) or taken back (clawback, negative) by upheld objections."""
    return f"{ADJUSTMENTS}{company}/{y}"


def of_company(prefix: str, company: str) -> str:
    """Where a company's records under ``prefix`` (REPORTS, CERTIFICATIONS, POSITIONS) begin."""
    return f"{prefix}{company}/"
