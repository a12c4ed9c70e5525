"""The PRISMA 2020 checklist: its items (section, number, topic and what it asks, in our words)."""
from __future__ import annotations

# (item, section, topic, what the item asks)
ITEMS: list[tuple[str, str, str, str]] = [
    ("1", "Title", "Title", "Say in the title that the report is a systematic review."),
    ("2", "Abstract", "Abstract", "Give a structured abstract (see the PRISMA 2020 for Abstracts items)."),
    ("3", "Introduction", "Rationale", "Explain why the review is needed, given what is already known."),
    ("4", "Introduction", "Objectives", "State the objectives or questions the review addresses."),
    ("5", "Methods", "Eligibility criteria",
     "State the inclusion and exclusion criteria and how studies were grouped."),
    ("6", "Methods", "Information sources", "Name every database, register, website, organisation, reference list "
                                             "and other source searched or consulted, with the date of each."),
    ("7", "Methods", "Search strategy", "Give the full search strategies for all databases, registers and websites, "
                                        "with any filters and limits."),
    ("8", "Methods", "Selection process", "Say how eligibility was decided: how many reviewers screened each "
                                          "record and report, whether independently, and any automation used."),
    ("9", "Methods", "Data collection process", "Say how data were collected: how many collected each report, "
                                                "whether independently, how data were confirmed, automation used."),
    ("10a", "Methods", "Data items", "List and define the outcomes for which data were sought."),
    ("10b", "Methods", "Data items", "List and define the other variables sought and any assumptions made."),
    ("11", "Methods", "Study risk of bias assessment", "Name the tools used to assess risk of bias and how they "
                                                       "were applied (how many assessors, independently)."),
    ("12", "Methods", "Effect measures", "State the effect measure(s) used for each outcome."),
    ("13a", "Methods", "Synthesis methods", "Say how studies were chosen for each synthesis."),
    ("13b", "Methods", "Synthesis methods", "Describe how data were prepared for synthesis (conversions, missing "
                                            "statistics)."),
    ("13c", "Methods", "Synthesis methods", "Describe how results of studies and syntheses were tabulated or shown."),
    ("13d", "Methods", "Synthesis methods", "Describe the synthesis methods, the model, heterogeneity methods and "
                                            "the software."),
    ("13e", "Methods", "Synthesis methods", "Describe how causes of heterogeneity were explored."),
    ("13f", "Methods", "Synthesis methods", "Describe the sensitivity analyses."),
    ("14", "Methods", "Reporting bias assessment", "Describe how risk of bias from missing results was assessed."),
    ("15", "Methods", "Certainty assessment", "Describe how certainty in the body of evidence was assessed."),
    ("16a", "Results", "Study selection", "Give the results of the search and selection, ideally as a flow diagram."),
    ("16b", "Results", "Study selection", "Cite studies that seemed to meet the criteria but were excluded, and why."),
    ("17", "Results", "Study characteristics", "Cite each included study and give its characteristics."),
    ("18", "Results", "Risk of bias in studies", "Give the risk of bias assessment of each included study."),
    ("19", "Results", "Results of individual studies", "For each outcome, give each study's summary statistics and "
                                                        "effect estimate with its precision."),
    ("20a", "Results", "Results of syntheses", "Summarise the characteristics and risk of bias of the studies in "
                                               "each synthesis."),
    ("20b", "Results", "Results of syntheses", "Give the results of every synthesis: estimate, precision and "
                                               "heterogeneity."),
    ("20c", "Results", "Results of syntheses", "Give the results of explorations of heterogeneity."),
    ("20d", "Results", "Results of syntheses", "Give the results of sensitivity analyses."),
    ("21", "Results", "Reporting biases", "Give the assessments of risk of bias from missing results."),
    ("22", "Results", "Certainty of evidence", "Give the certainty of the evidence for each outcome."),
    ("23a", "Discussion", "Discussion", "Interpret the results in the context of other evidence."),
    ("23b", "Discussion", "Discussion", "Discuss the limitations of the evidence."),
    ("23c", "Discussion", "Discussion", "Discuss the limitations of the review processes."),
    ("23d", "Discussion", "Discussion", "Discuss what the results mean for practice, policy and research."),
    ("24a", "Other information", "Registration and protocol", "Give the registration name and number, or say the "
                                                              "review was not registered."),
    ("24b", "Other information", "Registration and protocol", "Say where the protocol can be found, or that none "
                                                              "was written."),
    ("24c", "Other information", "Registration and protocol", "Describe amendments to the registration or protocol."),
    ("25", "Other information", "Support", "Describe the sources of support and the role of the funders."),
    ("26", "Other information", "Competing interests", "Declare the authors' competing interests."),
    ("27", "Other information", "Availability of data, code and other materials", "Say what is publicly available "
                                                                                   "and where: forms, data, code."),
]
ITEM_KEYS = [item for item, *_ in ITEMS]
