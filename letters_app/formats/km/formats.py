# Khmer groups digits by three with Django's own separator for it ("100.000"); Django's Khmer
# formats give no grouping, which would write "100000". Everything else is Django's.
NUMBER_GROUPING = 3
