"""The World Bank's list of debarred firms as the import tests write it: its header row
(`HEADER`), the columns `vendorwatch import worldbank` reads, for the rows a test adds."""

from __future__ import annotations

HEADER = (
    "Firm Name,Additional Firm Info,Address,Country,Ineligibility Period From Date,"
    "Ineligibility Period To Date,Grounds\n"
)
