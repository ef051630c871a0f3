# French groups digits with a narrow no-break space ("100 000 signatures"), as the French
# typographic rules and CLDR write it; Django's own French formats use a full no-break space.
# Everything else is Django's.
THOUSAND_SEPARATOR = "\u202f"
