"""The curated recipient directory: offices, parliaments and governments letters go to.

Facts only. Addresses are postal, without the country (the To: block adds it from the
ISO code). The e-mail addresses are reserved examples (RFC 2606), never an office's real
address: an admin replaces them once verified, so that no demo or test can write to anyone.
Offices whose holder changes often are listed by title with the name left blank.
Loaded, and updated by institution + name + title, with `python manage.py load_recipients`.
"""

from letters_app.models import Recipient

K = Recipient.Kind

UN_SECRETARY_GENERAL = {
    "honorific": "His Excellency",
    "name": "António Guterres",
    "title": "Secretary-General of the United Nations",
    "institution": "United Nations",
    "postal_address": "United Nations Headquarters\nNew York, NY 10017",
    "country": "US",
    "kind": K.UN,
    "salutation": "Dear Secretary-General,",
    "email": "un-secretary-general@example.org",
}

SPECIAL_RAPPORTEUR_CAMBODIA = {
    "honorific": "Professor",
    "name": "Vitit Muntarbhorn",
    "title": "Special Rapporteur on the situation of human rights in Cambodia",
    "institution": "United Nations Human Rights Council",
    "postal_address": (
        "c/o Office of the UN High Commissioner for Human Rights\n"
        "Palais des Nations\n"
        "8-14 Avenue de la Paix\n"
        "CH-1211 Geneva 10"
    ),
    "country": "CH",
    "kind": K.UN,
    "salutation": "Dear Professor Muntarbhorn,",
    "email": "sr-cambodia@example.org",
}

UN_HIGH_COMMISSIONER = {
    "honorific": "His Excellency",
    "name": "Volker Türk",
    "title": "United Nations High Commissioner for Human Rights",
    "institution": "Office of the United Nations High Commissioner for Human Rights",
    "postal_address": "Palais des Nations\n8-14 Avenue de la Paix\nCH-1211 Geneva 10",
    "country": "CH",
    "kind": K.UN,
    "salutation": "Dear High Commissioner,",
    "email": "un-high-commissioner@example.org",
}

PARLIAMENTS = [
    {
        "title": "Members of the European Parliament",
        "institution": "European Parliament",
        # It also sits in Strasbourg (1 Allée du Printemps, F-67070 Strasbourg Cedex);
        # Brussels is where members' offices receive post all year.
        "postal_address": "Rue Wiertz 60\nB-1047 Brussels",
        "country": "BE",
        "salutation": "Honourable Members,",
        "email": "european-parliament@example.org",
    },
    {
        "title": "Members of the United States Senate",
        "institution": "United States Senate",
        "postal_address": "Washington, DC 20510",
        "country": "US",
        "salutation": "Dear Senators,",
        "email": "us-senate@example.org",
    },
    {
        "title": "Members of the United States House of Representatives",
        "institution": "United States House of Representatives",
        "postal_address": "Washington, DC 20515",
        "country": "US",
        "salutation": "Dear Representatives,",
        "email": "us-house@example.org",
    },
    {
        "title": "Members of the House of Commons of Canada",
        "institution": "House of Commons of Canada",
        "postal_address": "Ottawa, Ontario K1A 0A6",
        "country": "CA",
        "salutation": "Honourable Members,",
        "email": "canada-house-of-commons@example.org",
    },
    {
        "title": "Members of the Parliament of Australia",
        "institution": "Parliament of Australia",
        "postal_address": "Parliament House\nCanberra ACT 2600",
        "country": "AU",
        "salutation": "Honourable Members and Senators,",
        "email": "australia-parliament@example.org",
    },
    {
        "title": "Members of the House of Commons",
        "institution": "House of Commons of the United Kingdom",
        "postal_address": "London SW1A 0AA",
        "country": "GB",
        "salutation": "Honourable Members,",
        "email": "uk-house-of-commons@example.org",
    },
    {
        "title": "Members of the New Zealand House of Representatives",
        "institution": "New Zealand House of Representatives",
        "postal_address": "Parliament Buildings\nWellington 6160",
        "country": "NZ",
        "salutation": "Honourable Members,",
        "email": "nz-house-of-representatives@example.org",
    },
]

GOVERNMENTS = [
    {
        "honorific": "His Excellency",
        "name": "Hun Manet",
        "title": "Prime Minister of the Kingdom of Cambodia",
        "institution": "Office of the Council of Ministers",
        "postal_address": "41 Russian Federation Boulevard\nPhnom Penh",
        "country": "KH",
        "salutation": "Your Excellency,",
        "email": "cambodia-prime-minister@example.org",
    },
    {
        "honorific": "His Excellency",
        "name": "Kao Kim Hourn",
        "title": "Secretary-General of ASEAN",
        "institution": "ASEAN Secretariat",
        "postal_address": "70A Jalan Sisingamangaraja\nJakarta 12110",
        "country": "ID",
        "salutation": "Dear Secretary-General,",
        "email": "asean-secretariat@example.org",
    },
    {
        "title": "Minister for Foreign Affairs of the Republic of Indonesia",
        "institution": "Ministry of Foreign Affairs of the Republic of Indonesia",
        "postal_address": "Jalan Taman Pejambon No. 6\nJakarta 10110",
        "country": "ID",
        "salutation": "Your Excellency,",
        "email": "indonesia-foreign-affairs@example.org",
    },
    {
        "title": "Minister of Foreign Affairs of Malaysia",
        "institution": "Ministry of Foreign Affairs of Malaysia (Wisma Putra)",
        "postal_address": "No. 1, Jalan Wisma Putra, Presint 2\n62602 Putrajaya",
        "country": "MY",
        "salutation": "Your Excellency,",
        "email": "malaysia-foreign-affairs@example.org",
    },
    {
        "title": "Secretary of Foreign Affairs of the Republic of the Philippines",
        "institution": "Department of Foreign Affairs of the Republic of the Philippines",
        "postal_address": "2330 Roxas Boulevard\nPasay City 1300, Metro Manila",
        "country": "PH",
        "salutation": "Your Excellency,",
        "email": "philippines-foreign-affairs@example.org",
    },
    {
        "title": "Minister for Foreign Affairs of the Republic of Singapore",
        "institution": "Ministry of Foreign Affairs of the Republic of Singapore",
        "postal_address": "Tanglin\nSingapore 248163",
        "country": "SG",
        "salutation": "Your Excellency,",
        "email": "singapore-foreign-affairs@example.org",
    },
    {
        "title": "Minister of Foreign Affairs of the Kingdom of Thailand",
        "institution": "Ministry of Foreign Affairs of the Kingdom of Thailand",
        "postal_address": "443 Sri Ayudhya Road\nBangkok 10400",
        "country": "TH",
        "salutation": "Your Excellency,",
        "email": "thailand-foreign-affairs@example.org",
    },
]

RECIPIENTS = [
    UN_SECRETARY_GENERAL,
    SPECIAL_RAPPORTEUR_CAMBODIA,
    UN_HIGH_COMMISSIONER,
    *({"kind": K.PARLIAMENT, **p} for p in PARLIAMENTS),
    *({"kind": K.GOVERNMENT, **g} for g in GOVERNMENTS),
]
