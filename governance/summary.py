"""Plain-text views of an allocation plan for people: the per-vintage table and one company's story."""

from __future__ import annotations

from .plan import AllocationPlan, VintageTotals

__all__ = ["summary_table", "company_report", "scale_percent"]


def scale_percent(totals: VintageTotals) -> str:
    """The scaling ratio as a percentage with two decimals, rounded down ("100.00 %" when unscaled)."""
    num, den = totals.scale
    hundredths = num * 10_000 // den
    return f"{hundredths // 100}.{hundredths % 100:02d} %"


def _bp(bp: int) -> str:
    return f"{bp // 100}.{bp % 100:02d} %"


def summary_table(plan: AllocationPlan) -> str:
    """The plan hash, kind and one row per vintage: cap, reserves, what was handed out."""
    header = plan.header
    companies = len({line.company_id for line in plan.lines})
    out = [
        f"plan hash  {plan.plan_hash}",
        f"kind       {header.kind} (phase {header.phase}), {companies:,} companies, {len(plan.lines):,} lines",
    ]
    if header.inputs:
        out.append("inputs     " + "\n           ".join(f"{name}  sha256 {digest}" for name, digest in header.inputs))
    columns = ("vintage", "cap", "reserves", "available", "demand", "free", "auction pool", "unallocated", "scale", "companies")
    rows = []
    for t in header.totals:
        reserves = sum(header.reserves(t.vintage).values())
        rows.append((t.vintage, f"{t.cap:,}", f"{reserves:,}", f"{t.available:,}", f"{t.demand:,}",
                     f"{t.free_allocation:,}", f"{t.auction_pool:,}", f"{t.unallocated:,}", scale_percent(t),
                     f"{t.companies:,}"))
    widths = [max(len(c), *(len(r[i]) for r in rows)) for i, c in enumerate(columns)]
    out.append("")
    out.append("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(columns, widths))))
    for r in rows:
        out.append("  ".join(v.ljust(w) if i == 0 else v.rjust(w) for i, (v, w) in enumerate(zip(r, widths))))
    out.append("(tonnes; free = the companies' lines, auction pool = the auctioned shares; reserves are held back from the cap)")
    if header.warnings:
        out.append("")
        out.append("warnings:")
        out.extend(f"  - {w}" for w in header.warnings)
    return "\n".join(out)


def company_report(plan: AllocationPlan, company_id: str) -> str:
    """How one company's allocation came about (from the plan's explanations)."""
    explanation = plan.explanation_of(company_id)
    if explanation is None:
        return f"{company_id}: not in this plan's explanations (check the name, or the file was written without them)"
    e = explanation
    out = [
        f"{e.company_id}  ({e.sector or '-'} / {e.industry or '-'})",
        f"method   {e.method}",
        f"basis    {e.basis}",
        f"demand   {e.demand:,} t per vintage",
        f"auctioned share  {_bp(e.auction_share_bp)}" if e.auction_share_bp else "auctioned share  none (fully free)",
    ]
    for share in e.shares:
        t = plan.header.totals_of(share.vintage)
        out.append(f"  {share.vintage}: allocated {share.allocated:,} t (scale {scale_percent(t)}) = "
                   f"free {share.free:,} t + auctioned {share.auctioned:,} t")
    out.extend(f"warning  {w}" for w in e.warnings)
    return "\n".join(out)
