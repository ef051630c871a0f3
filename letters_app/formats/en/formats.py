# English dates as Cosign has always written them ("1 December 2026, 14:05"); French and Khmer
# use Django's own formats for dates (letters_app/formats/fr and km set only how numbers group).
DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
