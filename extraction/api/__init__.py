"""The API of extraction, one module per resource: forms and their published versions, extractions,
one's own entry, the comparison of two entries and their consensus, and the outcome data analyses pool.

Each view: access check (`ReviewApiView` with the capability per method, and for consensus the
rules of `extraction.rules`), one service or selector, serialize. Blind double entry holds as on the
pages: nobody reads another person's entry (only who extracts and whether they are done);
once both are done the comparison opens to whoever settles, and once the consensus is final to
the two extractors and the role Extractor too. The consensus, once final, is the study's data for every member.
The URL conf and other callers import the resource modules (nothing is re-exported here).
"""
