"""The statistics charts, from known counts: bars sized and ordered, nothing drawn for no
data, every label escaped, and the numbers there for a screen reader."""

import datetime
import re

from letters_app import charts

D = datetime.date(2025, 3, 10)


def widths(svg: str) -> list[float]:
    return [float(w) for w in re.findall(r'<rect class="chart-s-bar"[^>]* width="([\d.]+)"', svg)]


def test_bars_are_in_the_order_given_and_sized_to_the_biggest():
    chart = charts.bar_chart(
        [("France", 10), ("Cambodia", 5), ("Japan", 1)], key="t", title="T", columns=("a", "b")
    )
    room = charts.BAR_WIDTH - charts.BAR_LABEL - 56
    assert widths(chart.svg) == [room, room / 2, round(room / 10, 1)]
    labels = re.findall(r'text-anchor="end">([^<]+)</text>', chart.svg)
    assert labels == ["France", "Cambodia", "Japan"]
    assert chart.rows == [("France", "10"), ("Cambodia", "5"), ("Japan", "1")]


def test_countries_are_named_and_the_sixteenth_on_are_one_bar():
    rows = [("KH", 30), ("FR", 12), ("", 2)] + [(code, 1) for code in
            ["DE", "US", "GB", "CH", "JP", "TH", "AU", "CA", "SN", "BR", "IT", "ES", "PT", "NL",
             "BE"]]  # fmt: skip
    chart = charts.country_chart(rows)
    labels = [label for label, _n in chart.rows]
    assert labels[:3] == ["Cambodia", "France", "Country not given"]
    assert len(labels) == 16
    assert chart.rows[-1] == ("3 other countries", "3")
    assert chart.summary == "Cambodia comes first, with 30."


def test_sixteen_countries_are_all_shown_rather_than_one_other():
    rows = [(code, 1) for code in ["DE", "US", "GB", "CH", "JP", "TH", "AU", "CA", "SN", "BR",
                                   "IT", "ES", "PT", "NL", "BE", "FR"]]  # fmt: skip
    assert len(charts.country_chart(rows).rows) == 16
    assert "other" not in str(charts.country_chart(rows).rows)


def test_labels_are_escaped_everywhere():
    crafted = '<script>alert("x")</script> & Co'
    chart = charts.bar_chart([(crafted, 3)], key="t", title="<b>T</b>", columns=("a", "b"))
    html = str(chart)
    for text in (chart.svg, html):
        assert "<script>" not in text
        assert "<b>T</b>" not in text
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co" in chart.svg
    unknown = charts.country_chart([("<i>", 2)])
    assert "<i>" not in unknown.svg
    assert "&lt;i&gt;" in unknown.svg


def test_a_long_country_name_is_cut_and_kept_whole_in_the_tooltip_and_table():
    chart = charts.country_chart([("CD", 4)])
    name = "Democratic Republic of the Congo"
    assert f"<title>{name}: 4</title>" in chart.svg
    assert ">Democratic Republic of…</text>" in chart.svg
    assert chart.rows == [(name, "4")]


def test_days_without_signatures_are_drawn_as_gaps_and_bars_stack_confirmed_first():
    days = [(D, 4, 2), (D + datetime.timedelta(days=2), 2, 2)]
    chart = charts.daily_chart(days)
    plot = charts.HEIGHT - charts.TOP - charts.BOTTOM  # ticks 0..4: 4 fills the plot
    heights = [float(h) for h in re.findall(r'<rect class="chart-s-\w+"[^>]* height="([\d.]+)"',
                                            chart.svg)]  # fmt: skip
    assert heights == [plot / 2, plot / 2, plot / 2]  # 2 unconfirmed, 2 confirmed; then 2
    assert chart.svg.count("<rect") == 3
    assert chart.rows == [("10 Mar 2025", "4", "2"), ("12 Mar 2025", "2", "2")]
    assert "The busiest day was 10 Mar 2025, with 4 signatures submitted." == chart.summary


def test_the_running_total_adds_up_and_reaches_today():
    days = [(D, 3, 1), (D + datetime.timedelta(days=1), 2, 2)]
    chart = charts.cumulative_chart(days, today=D + datetime.timedelta(days=5))
    assert chart.rows == [("10 Mar 2025", "3", "1"), ("11 Mar 2025", "5", "3")]
    assert chart.summary == "5 signatures submitted and 3 confirmed by 15 Mar 2025."
    # The day before the first, then six days: seven points on the line.
    [line] = re.findall(r'<polyline class="chart-line chart-s-submitted" points="([^"]+)"',
                        chart.svg)  # fmt: skip
    assert len(line.split()) == 7


def test_kinds_are_shares_of_the_ring():
    chart = charts.kind_chart([("organization", 3), ("mp", 1)])
    assert chart.rows == [("Organization", "3", "75%"), ("Member of parliament", "1", "25%")]
    dashes = re.findall(r'stroke-dasharray="([\d.]+) ', chart.svg)
    circumference = 2 * 3.14159265 * 70
    assert [round(float(d)) for d in dashes] == [round(circumference * 0.75),
                                                 round(circumference * 0.25)]  # fmt: skip


def test_confirmation_rate_counts_everyone_who_confirmed_even_if_gone_since():
    totals = {"submitted": 8, "ever_confirmed": 6, "approved": 2, "confirmed": 3, "pending": 2,
              "withdrawn": 1, "rejected": 0}  # fmt: skip
    chart = charts.confirmation_chart(totals)
    assert chart.headline == "75%"
    assert chart.summary == "75% of the 8 signatures submitted were confirmed by e-mail."
    assert ("Waiting for e-mail confirmation", "2", "25%") in chart.rows
    assert ("Rejected", "0", "0%") in chart.rows
    assert [label for label, _css in chart.legend] == [
        "Approved · 2", "Confirmed · 3", "Waiting for e-mail confirmation · 2", "Withdrawn · 1",
    ]  # fmt: skip
    segments = re.findall(r'<rect class="chart-s-(\w+)"[^>]* width="([\d.]+)"', chart.svg)
    assert segments == [("approved", "120"), ("confirmed", "180"), ("pending", "120"),
                        ("withdrawn", "60")]  # fmt: skip


def test_no_data_says_so_instead_of_drawing_an_empty_chart():
    empty = [
        charts.cumulative_chart([]),
        charts.daily_chart([]),
        charts.country_chart([]),
        charts.kind_chart([]),
        charts.confirmation_chart({"submitted": 0}),
    ]
    for chart in empty:
        html = str(chart)
        assert chart.svg == ""
        assert "<svg" not in html
        assert "No signatures yet" in html


def test_each_chart_is_an_image_with_a_title_a_description_and_its_numbers():
    chart = charts.kind_chart([("organization", 2)])
    assert chart.svg.startswith('<svg xmlns="http://www.w3.org/2000/svg" class="chart-svg')
    assert 'role="img"' in chart.svg
    assert 'aria-labelledby="chart-kinds-title chart-kinds-desc"' in chart.svg
    assert '<title id="chart-kinds-title">Confirmed signatures by kind</title>' in chart.svg
    assert '<desc id="chart-kinds-desc">Organization: 2 (100%)</desc>' in chart.svg
    assert 'viewBox="0 0 200 200"' in chart.svg
    html = str(chart)
    assert "<details" in html
    assert '<th scope="row" class="fw-normal">Organization</th><td class="text-end">2</td>' in html
