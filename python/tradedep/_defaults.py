"""Every default of the public Python API that more than one function shares, declared once.

Signatures read these names, so ``help(td.supplier_shares)`` shows the value and the docs page
"Every default" (generated from the signatures) lists it; docs/methods/results.md gives the reasons.
"""

from __future__ import annotations

#: Whose report counts as an import: the importer's own where it reported in that period, partners'
#: exports (mirror) otherwise. "reported" and "mirror" take one side only.
SOURCE = "auto"
#: Factor applied to mirror (exporter-reported, FOB) values; 1.0 leaves them as reported.
CIF_FOB = 1.0
#: How a code of another HS edition is carried over: equal split over its direct successors.
WEIGHTING = "continuity"
#: A country code the reference table does not know is an error unless the caller sets rows aside.
ON_UNKNOWN_COUNTRY = "error"
#: Currency of values read through a column mapping when the caller names none.
CURRENCY = "USD"
#: Factor on values read through a column mapping (1000 for BACI's thousands of USD).
VALUE_SCALE = 1.0
#: How countries are written in a mapped file: numbers, ISO3, ISO2 or names, told apart per value.
COUNTRY_CODING = "auto"
