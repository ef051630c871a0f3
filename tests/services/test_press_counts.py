"""A press release counts its signatories as its language writes numbers."""

import pytest
from django.utils import translation

from letters_app.services.press import _signers_phrase


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("en", "1,200 organizations and 3 members of parliament"),
        ("fr", "1\u202f200 organisations et 3 parlementaires"),
        ("km", "អង្គការចំនួន 1.200"),
    ],
)
def test_counts_group_their_digits_as_the_release_language_does(language, said):
    entries = [{"kind": "organization"}] * 1200 + [{"kind": "mp"}] * 3
    with translation.override(language):
        assert said in _signers_phrase(entries)
