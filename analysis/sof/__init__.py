"""The summary of findings: per outcome the represented analysis, absolute effects, GRADE ratings, and its exports."""
