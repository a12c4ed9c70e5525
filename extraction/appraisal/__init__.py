"""Risk-of-bias appraisal on the double-entry machinery of extraction: versioned tool definitions
(RoB 2, ROBINS-I, custom), the published algorithms that propose judgements, figures and exports."""
