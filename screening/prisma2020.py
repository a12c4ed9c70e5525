"""Our PRISMA 2020 counts in the PRISMA2020 R package's CSV template (`prisma2020.csv`).

The package (Haddaway, Page, Pritchard and McGuinness; its Shiny app reads the same file) ships
`inst/extdata/PRISMA.csv`: one row per number or title of the diagram, with the columns below.
`PRISMA_data()` finds a row by the name in its first column (`data`) and reads the number from
`n`; the title and side boxes, which have no `data`, are found by `box`. So the file keeps the
template's rows, names and texts, and only `n` carries our counts. Lists of names with numbers
(per database, per register, per exclusion reason) go into one `n` cell as "name, n; name, n",
the package's own notation, so a name loses any comma or semicolon it had.

Where our diagram and the template differ (see screening/prisma.py): records from other methods
pass title/abstract screening here, and the template has no box for that, so the other-methods
column goes from "identified" to "reports sought"; searches of experts or authors have no box of
their own and are counted with organisations (the box then says so).

Plain Python: it reads a PrismaCounts and returns rows.
"""
from __future__ import annotations

import re

COLUMNS = ["data", "node", "box", "description", "boxtext", "tooltips", "url", "n"]
NA = "NA"

# The template's rows, in its order: (data, node, box, description, boxtext, tooltips, url).
# NA marks an empty cell as the template writes it; `n` is filled from our counts.
TEMPLATE = [
    (NA, "node4", "prevstud", "Grey title box; Previous studies", "Previous studies",
     "Grey title box; Previous studies", "prevstud.html"),
    ("previous_studies", "node5", "box1", "Studies included in previous version of review",
     "Studies included in previous version of review", "Studies included in previous version of review",
     "previous_studies.html"),
    ("previous_reports", NA, "box1", "Reports of studies included in previous version of review",
     "Reports of studies included in previous version of review", NA, "previous_reports.html"),
    (NA, "node6", "newstud", "Yellow title box; Identification of new studies via databases and registers",
     "Identification of new studies via databases and registers",
     "Yellow title box; Identification of new studies via databases and registers", "newstud.html"),
    ("database_results", "node7", "box2", "Records identified from: Databases", "Databases",
     "Records identified from: Databases and Registers", "database_results.html"),
    ("database_specific_results", NA, "box2", "Records identified from: specific databases",
     "Specific Databases", NA, "database_results.html"),
    ("register_results", NA, "box2", "Records identified from: Registers", "Registers", NA, NA),
    ("register_specific_results", NA, "box2", "Records identified from: specific registers",
     "Specific Registers", NA, "database_results.html"),
    (NA, "node16", "othstud", "Grey title box; Identification of new studies via other methods",
     "Identification of new studies via other methods",
     "Grey title box; Identification of new studies via other methods", "othstud.html"),
    ("website_results", "node17", "box11", "Records identified from: Websites", "Websites",
     "Records identified from: Websites, Organisations and Citation Searching", "website_results.html"),
    ("organisation_results", "", "box11", "Records identified from: Organisations", "Organisations", NA, NA),
    ("citations_results", NA, "box11", "Records identified from: Citation searching", "Citation searching",
     NA, NA),
    ("duplicates", "node8", "box3", "Duplicate records", "Duplicate records", "Duplicate records",
     "duplicates.html"),
    ("excluded_automatic", NA, "box3", "Records marked as ineligible by automation tools",
     "Records marked as ineligible by automation tools", NA, NA),
    ("excluded_other", NA, "box3", "Records removed for other reasons", "Records removed for other reasons",
     NA, NA),
    ("records_screened", "node9", "box4", "Records screened (databases and registers)", "Records screened",
     "Records screened (databases and registers)", "records_screened.html"),
    ("records_excluded", "node10", "box5", "Records excluded (databases and registers)", "Records excluded",
     "Records excluded (databases and registers)", "records_excluded.html"),
    ("dbr_sought_reports", "node11", "box6", "Reports sought for retrieval (databases and registers)",
     "Reports sought for retrieval", "Reports sought for retrieval (databases and registers)",
     "dbr_sought_reports.html"),
    ("dbr_notretrieved_reports", "node12", "box7", "Reports not retrieved (databases and registers)",
     "Reports not retrieved", "Reports not retrieved (databases and registers)", "dbr_notretrieved_reports.html"),
    ("other_sought_reports", "node18", "box12", "Reports sought for retrieval (other)",
     "Reports sought for retrieval", "Reports sought for retrieval (other)", "other_sought_reports.html"),
    ("other_notretrieved_reports", "node19", "box13", "Reports not retrieved (other)", "Reports not retrieved",
     "Reports not retrieved (other)", "other_notretrieved_reports.html"),
    ("dbr_assessed", "node13", "box8", "Reports assessed for eligibility (databases and registers)",
     "Reports assessed for eligibility", "Reports assessed for eligibility (databases and registers)",
     "dbr_assessed.html"),
    ("dbr_excluded", "node14", "box9",
     "Reports excluded (databases and registers): [separate reasons and numbers using ; e.g. Reason1, xxx; "
     "Reason2, xxx; Reason3, xxx]", "Reports excluded", "Reports excluded (databases and registers)",
     "dbrexcludedrecords.html"),
    ("other_assessed", "node20", "box14", "Reports assessed for eligibility (other)",
     "Reports assessed for eligibility", "Reports assessed for eligibility (other)", "other_assessed.html"),
    ("other_excluded", "node21", "box15",
     "Reports excluded (other): [separate reasons and numbers using ; e.g. Reason1, xxx; Reason2, xxx; "
     "Reason3, xxx]", "Reports excluded", "Reports excluded (other)", "other_excluded.html"),
    ("new_studies", "node15", "box10", "New studies included in review", "New studies included in review",
     "New studies included in review", "new_studies.html"),
    ("new_reports", NA, "box10", "Reports of new included studies", "Reports of new included studies", NA, NA),
    ("total_studies", "node22", "box16", "Total studies included in review", "Total studies included in review",
     "Total studies included in review", "total_studies.html"),
    ("total_reports", NA, "box16", "Reports of total included studies", "Reports of total included studies",
     NA, NA),
    ("identification", "node1", "identification", "Blue identification box", "Identification",
     "Blue identification box", "identification.html"),
    ("screening", "node2", "screening", "Blue screening box", "Screening", "Blue screening box",
     "screening.html"),
    ("included", "node3", "included", "Blue included box", "Included", "Blue included box", "included.html"),
]

_SEPARATORS = re.compile(r"[,;\r\n]+")


def _name(text: str) -> str:
    """A name as the template's lists can hold it: no comma or semicolon (they separate the list)."""
    return " ".join(_SEPARATORS.sub(" ", text).split()) or "Unnamed"


def listed(counts: dict[str, int]) -> str:
    """Names with numbers in the template's notation, "name, n; name, n" (empty when there are none)."""
    return "; ".join(f"{_name(name)}, {n}" for name, n in sorted(counts.items()))


def numbers(counts) -> dict[str, int | str]:
    """The template's `data` names with our numbers (or lists) for a PrismaCounts."""
    m, o, kind = counts.main, counts.other, counts.identified_other_by_kind
    registers = counts.identified_by_register
    databases = {name: n for name, n in counts.identified_by_database.items() if name not in registers}
    return {
        "previous_studies": counts.previous_studies, "previous_reports": counts.previous_reports,
        "database_results": counts.identified_databases, "database_specific_results": listed(databases),
        "register_results": counts.identified_registers, "register_specific_results": listed(registers),
        "website_results": kind.get("website", 0),
        "organisation_results": kind.get("organisation", 0) + kind.get("expert", 0),
        "citations_results": kind.get("citation", 0),
        "duplicates": counts.duplicates_removed, "excluded_automatic": counts.automation_ineligible,
        "excluded_other": counts.other_removed,
        "records_screened": counts.records_screened, "records_excluded": counts.records_excluded,
        "dbr_sought_reports": m.sought, "dbr_notretrieved_reports": m.not_retrieved,
        "dbr_assessed": m.assessed, "dbr_excluded": listed(m.excluded_by_reason),
        "other_sought_reports": o.sought, "other_notretrieved_reports": o.not_retrieved,
        "other_assessed": o.assessed, "other_excluded": listed(o.excluded_by_reason),
        "new_studies": counts.studies_included, "new_reports": counts.reports_included,
        "total_studies": counts.studies_included + counts.previous_studies,
        "total_reports": counts.reports_included + counts.previous_reports,
    }


def rows(counts) -> list[list]:
    """The CSV's rows, header first: the template's rows with `n` holding our counts (titles: 0)."""
    values = numbers(counts)
    experts = counts.identified_other_by_kind.get("expert", 0)
    out: list[list] = [list(COLUMNS)]
    for data, node, box, description, boxtext, tooltips, url in TEMPLATE:
        if data == "organisation_results" and experts:
            boxtext = "Organisations and experts"
        out.append([data, node, box, description, boxtext, tooltips, url, values.get(data, 0)])
    return out
