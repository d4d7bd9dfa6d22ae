"""Reports on a portfolio of invoices: the aged balance (*balance âgée*).

pandas (``relancelib[pandas]``) is needed only when a report is computed.
"""

from __future__ import annotations

from relancelib.reports.aging import AGED_BUCKETS, aged_balance

__all__ = ["AGED_BUCKETS", "aged_balance"]
