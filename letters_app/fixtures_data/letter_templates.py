"""The five letter templates offered to coordinators, one per kind of letter Cosign's users write.

Each follows the shape of a real open letter (see the seed documents) with fresh wording.
Everything in [square brackets] is for the coordinator to fill in: a letter cannot be
published while any placeholder remains. Bodies are Markdown, never raw HTML.
Loaded, and updated by key, with `python manage.py load_letter_templates`.
"""

from letters_app.models import LetterKind

UN_SECRETARY_GENERAL = {
    "key": "un-secretary-general",
    "kind": LetterKind.UN_SECRETARY_GENERAL,
    "name": "Appeal to the UN Secretary-General",
    "description": (
        "A short, formal appeal. After the date and the addressee, each paragraph opens with "
        "what the signatories ask for: we appeal, we urge, we demand, we call on. "
        "Organizations and individuals may sign."
    ),
    "position": 10,
    "title": (
        "Appeal to the Secretary-General of the United Nations on [the situation you are raising]"
    ),
    "place": "[City, Country]",
    "from_block": "",
    "salutation": "Your Excellency,",
    "body": """\
We, the undersigned [organizations and individuals, and the community they come from], \
write to you about [the situation you are raising] in [country].

We appeal to the United Nations and to [the states that are party to the relevant agreement] \
to reaffirm their commitment to [the agreement, treaty or resolution that protects the rights \
at stake].

We appeal for swift and concrete action in answer to [the most urgent development, for example \
arrests, closures or threats], which is directed at [the people, parties or groups affected].

We urge the government of [country] to respect [the article of its constitution or the right \
you invoke], and to honour every international human rights treaty it has ratified, among \
them [the treaty you rely on most].

We demand that [the people detained] be freed at once and without conditions, and that the \
charges brought against them for [the reason given by the authorities] be withdrawn.

We call on [the states able to act] to convene [the meeting, conference or mechanism you ask \
for] so that it can [what it should decide or do].

We further call for international support so that [the coming election, trial or process] \
takes place in conditions that [the standard it must meet, for example free, fair and open to \
all parties].
""",
    "closing": "Respectfully,",
    "sender_line": "",
    "signatory_heading": "Signatories",
    "about_sender": "",
    "accepts_organizations": True,
    "accepts_individuals": True,
    "accepts_mps": False,
}

PARLIAMENTS = {
    "key": "parliaments",
    "kind": LetterKind.PARLIAMENTS,
    "name": "Parliamentarians' network to several parliaments",
    "description": (
        "A network of members of parliament writes to several parliaments at once: "
        "the grievances set out one by one, then concrete asks for legislative action, "
        "signed by the network with a paragraph about who it is. "
        "Members of parliament and organizations may sign."
    ),
    "position": 20,
    "title": "Open letter to [the parliaments addressed] on [the situation you are raising]",
    "place": "[City, Country]",
    "from_block": "",
    "salutation": "Your Honors,",
    "body": """\
We, [name of the parliamentarians' network], write to you as fellow legislators to share our \
serious concern about [the situation you are raising] in [country].

Since [the event that marked the turning point, with its date], conditions have worsened year \
after year. We ask you to consider the following developments:

1. **[First grievance, in a few words].** [What happened, when, and who was affected, in two \
or three sentences with dates.]
2. **[Second grievance, in a few words].** [What happened, when, and who was affected.]
3. **[Third grievance, in a few words].** [What happened, when, and who was affected.]

Taken together, these measures leave no room for [the democratic process or right at stake]. \
Under these conditions [the coming election or decision] cannot be regarded as \
[the standard it fails, for example free and fair], and no government or outcome that comes \
from it should be recognized as legitimate.

We value [what your parliaments or governments have already said or done]. Statements alone, \
however, have not changed the course of events. We therefore ask you, as legislators, to:

- adopt a resolution or bill that [what it should condemn or establish];
- call publicly on the government of [country] to release [the people detained] and to end \
[the persecution you describe];
- press for an independent investigation into [the violations or irregularities], so that \
those responsible are held to account;
- [a further concrete ask, for example targeted sanctions, a hearing or a delegation visit].

[Country] has signed [the agreements and treaties that bind it] and accepted, with them, \
obligations towards its own people. Your Honors, you hold your seats because free elections \
and protected rights made it possible; we trust that you will now stand with the people of \
[country].
""",
    "closing": "Yours sincerely,",
    "sender_line": "[Name of the parliamentarians' network (ACRONYM)]",
    "signatory_heading": "Co-signing Members of Parliament and Organizations",
    "about_sender": (
        "[Name of the network] was founded in [year] to [its purpose]. Its members include "
        "[who they are, for example sitting and former members of parliament from the region], "
        "[a sentence on its record]."
    ),
    "accepts_organizations": True,
    "accepts_individuals": False,
    "accepts_mps": True,
}

SPECIAL_RAPPORTEUR = {
    "key": "special-rapporteur",
    "kind": LetterKind.SPECIAL_RAPPORTEUR,
    "name": "Civil society to a UN Special Rapporteur",
    "description": (
        "Civil-society organizations bring their findings to a UN Special Rapporteur and list "
        "what they ask the mandate to do. The To: block comes from the directory; the From: "
        "block names the coordinating organization. Organizations sign."
    ),
    "position": 30,
    "title": "Civil society organizations ask the Special Rapporteur to [the action you request]",
    "place": "",
    "from_block": """\
[Name of the coordinating organization]
[Name of the contact person]
[Contact e-mail]""",
    "salutation": "Dear [Honorific and name of the Special Rapporteur],",
    "body": """\
The undersigned civil society organizations from [the community or countries you represent] \
write to seek your support in [the action you request, for example a statement, a country \
visit or a call for postponement].

In [month and year], your mandate published [the recommendations or report you refer to], \
which asked the authorities of [country] to [what it asked of them]. Since then, \
[what the authorities have done or failed to do].

[Describe the evidence you gathered: who collected it, how and when, and what it shows, with \
figures.]

[Describe the most recent and serious events, each with its date and the people affected.]

These facts lead us to conclude that [the conclusion the signatories share]. We therefore ask \
you to:

1. [First request to the Special Rapporteur];
2. [Second request];
3. [Third request].

We thank you for your attention and remain ready to share our findings with your office in \
full.
""",
    "closing": "Sincerely,",
    "sender_line": "",
    "signatory_heading": "Signatory Civil Society Organizations",
    "about_sender": "",
    "accepts_organizations": True,
    "accepts_individuals": False,
    "accepts_mps": False,
}

HEAD_OF_GOVERNMENT = {
    "key": "head-of-government",
    "kind": LetterKind.HEAD_OF_GOVERNMENT,
    "name": "Members of parliament to a head of government",
    "description": (
        "Members of parliament from several countries write together to one head of "
        "government with three concrete demands. Each signs in person, with their country."
    ),
    "position": 40,
    "title": (
        "Members of parliament from [number] countries call on [title and name of the head of "
        "government] to [the main demand]"
    ),
    "place": "[City, Country]",
    "from_block": "",
    "salutation": "Dear [Title and name of the head of government],",
    "body": """\
We, the undersigned members of parliament from [number] countries, write to you because we \
are gravely concerned about [the situation you are raising], and in particular about \
[the person, party or institution most affected].

[Describe what happened: the arrest, the charges, the court ruling or the law, with dates.]

[Explain why it matters: for the coming elections, for citizens' rights, for commitments \
made together.]

As legislators answerable to our own voters, we want [country] to achieve \
[the aim our countries share with it]. That can happen only if the basic rules of democratic \
life are honoured again. We therefore ask your government to:

1. [First demand, for example drop the charges against a named person and release them];
2. [Second demand, for example reverse a named decision];
3. [Third demand, for example repeal named amendments to a law].

We also ask your government to work with [the international partners concerned] so that \
[the coming election or process] takes place in conditions every party can accept.

We look forward to your reply.
""",
    "closing": "Yours sincerely,",
    "sender_line": "",
    "signatory_heading": "Signatory Members of Parliament",
    "about_sender": "",
    "accepts_organizations": False,
    "accepts_individuals": False,
    "accepts_mps": True,
}

PRESS_RELEASE = {
    "key": "press-release",
    "kind": LetterKind.PRESS_RELEASE,
    "name": "Press release announcing an open letter",
    "description": (
        "A release for journalists: headline, dateline, a lead naming the letter and its "
        "demand, a quotation, the co-signers in one sentence, context, and the distribution "
        "notice. No salutation. Organizations co-issue it."
    ),
    "position": 50,
    "title": "[Organization] welcomes open letter urging [the addressee] to [the demand]",
    "place": "[CITY, Country]",
    "from_block": "",
    "salutation": "",
    "body": """\
[Name of the organization issuing the release] today welcomed an open letter from \
[who wrote it] that calls on [the addressee] to [the demand, in one sentence], ahead of \
[the event or deadline that makes it timely].

The letter asks [the addressee] to [the first concrete ask] and to [the second concrete ask]. \
It warns that [what the signatories expect if nothing changes].

"[A quotation of two to four sentences: why this matters now and what should happen next]," \
said [Name], [Title] of [Organization].

The letter is co-signed by [list of co-signing organizations].

[Context: what governments, the United Nations or others have already said, and what you \
asked, with dates.]

*Distributed by [Organization] on behalf of [coalition]. [Where to read the full letter, and \
how to reach the press contact.]*
""",
    "closing": "",
    "sender_line": "",
    "signatory_heading": "Organizations issuing this release",
    "about_sender": "[Organization] is [one or two sentences on who you are and what you do].",
    "accepts_organizations": True,
    "accepts_individuals": False,
    "accepts_mps": False,
}

LETTER_TEMPLATES = [
    UN_SECRETARY_GENERAL,
    PARLIAMENTS,
    SPECIAL_RAPPORTEUR,
    HEAD_OF_GOVERNMENT,
    PRESS_RELEASE,
]
