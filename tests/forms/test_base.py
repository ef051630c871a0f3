"""The pieces the forms share."""

import pytest
from django.core.exceptions import ValidationError

from letters_app.forms.public import CountryChoiceField
from letters_app.forms.staff import CountriesField


def test_the_country_fields_take_a_code_and_nothing_else():
    one, several = CountryChoiceField(), CountriesField()
    assert one.clean("KH") == "KH"
    assert several.clean(["KH", "FR"]) == ["KH", "FR"]
    for wrong in ("XX", "kh", "KHM", "Cambodia", " KH"):
        with pytest.raises(ValidationError):
            one.clean(wrong)
        with pytest.raises(ValidationError):
            several.clean(["FR", wrong])


def test_only_the_single_country_field_offers_an_empty_choice():
    assert list(CountryChoiceField().choices)[:2] == [("", "---------"), ("AF", "Afghanistan")]
    assert list(CountryChoiceField(empty_label="All").choices)[0] == ("", "All")
    assert list(CountriesField().choices)[0] == ("AF", "Afghanistan")
