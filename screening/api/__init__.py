"""The API of searches, records, duplicates, screening, conflicts, studies and PRISMA counts, one module per resource.

Each view: access check (`ReviewApiView` with the capability per method, or the conflict rule of
`reviewapp.permissions`), one service or selector, serialize. Blind screening holds here as on the
pages (`screening.rules`): others' decisions stay hidden until a record is settled, and a conflict
freezes both decisions until a lead or the third reviewer resolves it. The URL conf and other callers
import the resource modules (nothing is re-exported here).
"""
