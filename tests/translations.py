"""Translations of the test letter (tests/factories.py, LetterFactory), written for the tests."""

from letters_app.services.letters import translation_mark_ready, translation_save

FRENCH = {
    "title": "Lettre ouverte au Rapporteur spécial sur le Cambodge",
    "salutation": "Monsieur le Professeur,",
    "body": "Nous, organisations soussignées, vous **demandons** d'agir.\n\n1. Première demande",
    "closing": "Veuillez agréer nos salutations distinguées.",
    "signatory_heading": "Organisations signataires",
}
KHMER = {
    "title": "លិខិតចំហជូនចំពោះអ្នករាយការណ៍ពិសេស",
    "salutation": "សូមគោរពលោកបណ្ឌិត",
    "body": "យើងខ្ញុំជាអង្គការដែលបានចុះហត្ថលេខា សូមស្នើលោកចាត់វិធានការ។",
    "closing": "សូមទទួលនូវការគោរពដ៏ខ្ពង់ខ្ពស់",
    "signatory_heading": "អង្គការដែលបានចុះហត្ថលេខា",
}


def translate(letter, language, data, actor, *, ready=True):
    """Save a translation of the letter and, by default, mark it ready."""
    translation = translation_save(letter=letter, language=language, data=data, actor=actor)
    if ready:
        translation = translation_mark_ready(translation=translation, actor=actor)
    return translation
