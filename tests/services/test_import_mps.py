"""Members of parliament imported from a list with columns are listed as those who sign online
are: name, own title, chamber, party, country."""

from letters_app.services.imports.parsing import import_parse


def test_a_list_of_members_of_parliament_reads_title_chamber_and_country():
    rows = [
        ["Name", "Title", "Chamber", "Party", "Country"],
        ["Hon. Jane Doe", "Member of the National Assembly", "National Assembly", "", "France"],
        ["Sok Dara", "", "Senate", "CPP", "KHM"],
    ]
    first, second = import_parse({"rows": rows}, kind="mp")
    assert (first.title, first.parliament, first.country) == (
        "Member of the National Assembly", "National Assembly", "FR",
    )  # fmt: skip
    assert first.display_line == "Hon. Jane Doe, Member of the National Assembly, France"
    assert second.display_line == "Sok Dara, Member of Parliament, Senate, CPP, Cambodia"
    assert not first.problems and not second.problems
