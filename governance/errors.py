"""The errors the allocation engine raises, in one small hierarchy.

    GovernanceError (ValueError)     anything the caller got wrong; the message says what and what to do
    ├── ParametersError              allocation parameters (TOML file or dataclass fields) are invalid
    ├── AllocationInputError         a company's input record is invalid, or two records share a company_id
    └── PlanFileError                a plan file cannot be read, is not canonical, or its hash does not match

They derive from ``ValueError`` so command-line front ends that already report ``ValueError``
to the user (``ets``) print them without a traceback. ``plan_format.PlanFormatError`` (also a
``ValueError``) is raised by the hash format itself, which must not import this module.
"""

from __future__ import annotations

__all__ = ["GovernanceError", "ParametersError", "AllocationInputError", "PlanFileError"]


class GovernanceError(ValueError):
    """Base class of every error raised by the allocation engine."""


class ParametersError(GovernanceError):
    """Invalid allocation parameters."""


class AllocationInputError(GovernanceError):
    """An invalid company input record."""


class PlanFileError(GovernanceError):
    """A plan file that cannot be read or does not verify."""
