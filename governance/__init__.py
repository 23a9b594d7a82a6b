"""Allocation engine (할당): computes allocation plans from public company data and policy parameters.

    compute_allocation_plan(companies, parameters, kind=..., inputs=...)  → AllocationPlan
    AllocationParameters / load_parameters(path)                         the policy inputs (TOML)
    CompanyInput                                                          one company's engine input
    AllocationPlan.to_json() / AllocationPlan.from_json(data)             the plan file, verified on read
    plan_format                                                           the plan hash the chain recomputes

``governance.inputs`` builds ``CompanyInput`` records from the ``datasets`` importers and
``governance.cli`` adds the ``ets plan`` commands.
"""

from protocol.plan_format import PlanFormatError

from .company import CompanyInput
from .engine import PROGRESS_EVERY, Demand, company_demand, compute_allocation_plan
from .errors import AllocationInputError, GovernanceError, ParametersError, PlanFileError
from .explanation import CompanyExplanation, VintageShare
from .parameters import RESERVE_NAMES, AllocationParameters, Reserve, load_parameters, vintage_name
from .plan import AllocationPlan, PlanHeader, PlanLine, VintageTotals
from .rounding import largest_remainder

__all__ = [
    "AllocationInputError",
    "AllocationParameters",
    "AllocationPlan",
    "CompanyExplanation",
    "CompanyInput",
    "Demand",
    "GovernanceError",
    "PROGRESS_EVERY",
    "ParametersError",
    "PlanFileError",
    "PlanFormatError",
    "PlanHeader",
    "PlanLine",
    "RESERVE_NAMES",
    "Reserve",
    "VintageShare",
    "VintageTotals",
    "company_demand",
    "compute_allocation_plan",
    "largest_remainder",
    "load_parameters",
    "vintage_name",
]
