"""Publication types in words. Exports name them by code (RIS ``JOUR``, BibTeX ``article``);
the record keeps the code as exported, the pages show the words."""
from __future__ import annotations

# RIS reference types (the RIS specification's list) and BibTeX entry types.
NAMES = {
    "ABST": "Abstract", "ADVS": "Audiovisual material", "AGGR": "Aggregated database", "ANCIENT": "Ancient text",
    "ART": "Art work", "BILL": "Bill", "BLOG": "Blog", "BOOK": "Book", "CASE": "Case", "CHAP": "Book chapter",
    "CHART": "Chart", "CLSWK": "Classical work", "COMP": "Computer program", "CONF": "Conference proceedings",
    "CPAPER": "Conference paper", "CTLG": "Catalogue", "DATA": "Dataset", "DBASE": "Online database",
    "DICT": "Dictionary", "EBOOK": "Electronic book", "ECHAP": "Electronic book chapter", "EDBOOK": "Edited book",
    "EJOUR": "Electronic article", "ELEC": "Web page", "ENCYC": "Encyclopedia", "EQUA": "Equation",
    "FIGURE": "Figure", "GEN": "Generic", "GOVDOC": "Government document", "GRANT": "Grant", "HEAR": "Hearing",
    "ICOMM": "Internet communication", "INPR": "In press", "JFULL": "Journal (full)", "JOUR": "Journal article",
    "LEGAL": "Legal rule or regulation", "MANSCPT": "Manuscript", "MAP": "Map", "MGZN": "Magazine article",
    "MPCT": "Motion picture", "MULTI": "Online multimedia", "MUSIC": "Music score", "NEWS": "Newspaper article",
    "PAMP": "Pamphlet", "PAT": "Patent", "PCOMM": "Personal communication", "RPRT": "Report", "SER": "Serial",
    "SLIDE": "Slide", "SOUND": "Sound recording", "STAND": "Standard", "STAT": "Statute", "THES": "Thesis",
    "UNBILL": "Unenacted bill", "UNPB": "Unpublished work", "VIDEO": "Video recording",
    "article": "Journal article", "book": "Book", "booklet": "Booklet", "inbook": "Book chapter",
    "incollection": "Book chapter", "inproceedings": "Conference paper", "conference": "Conference paper",
    "manual": "Manual", "mastersthesis": "Master's thesis", "phdthesis": "Doctoral thesis", "misc": "Other",
    "proceedings": "Conference proceedings", "techreport": "Report", "unpublished": "Unpublished work",
}


def publication_type_words(value: str) -> str:
    """``JOUR`` -> "Journal article"; a type already in words is shown as exported."""
    value = (value or "").strip()
    return NAMES.get(value) or NAMES.get(value.upper()) or NAMES.get(value.lower()) or value
