"""Who is one commenter (model/people.index_people), and the numbers page's chart
(render/charts.comments_chart), from records built as the build builds them."""

from __future__ import annotations

import math
from collections import Counter
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from sitegen.model.people import index_people
from sitegen.model.records import ArticleRecord, record_article
from sitegen.model.site import newest_first
from sitegen.model.slugs import same_name_key
from sitegen.model.types import Article, Comment, DateView, Moment, SiteConfig, Thread
from sitegen.render.charts import GRIDLINES, RIGHT, YEAR_SPACING, comments_chart
from sitegen.render.words import words_for

UTC = ZoneInfo("UTC")
CONFIG = SiteConfig("Digest", "https://example.org/d/", "/d/", timezone=UTC)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def record(key: str, date: str, *comments: tuple) -> ArticleRecord:
    """An article's record; each comment is (author, name, date or None), ids c1, c2, ..."""
    moment = Moment(at(date), True)
    thread = Thread(tuple(
        Comment(f"c{n}", None, "Text.", author=author, name=name, date=Moment(at(when), True) if when else None)
        for n, (author, name, when) in enumerate(comments, 1)))
    article = Article(key=key, path=f"content/{key}", slug=key.removesuffix(".md"), title=key, date=moment,
                      body="Body.", body_line=3, thread=thread)
    return record_article(article, CONFIG, f"digest-{key}", "<p>Body.</p>", "Body.", (),
                          DateView(date, date))


def people_of(*records: ArticleRecord, exclude: tuple[str, ...] = ()):
    """index_people as assemble_site calls it: the articles newest first."""
    return index_people(tuple(sorted(records, key=newest_first)), exclude)


def handles(people) -> list[str]:
    return [person.handle for person in people]


# ---- index_people -------------------------------------------------------------------------------

def test_handles_that_differ_in_case_or_unicode_form_are_one_commenter_shown_as_last_written():
    old = record("old.md", "2020-01-01", ("Steelmaker", "Irina", "2020-01-01 10:00"),
                 ("Cafe\u0301", None, "2020-01-01 11:00"))
    new = record("new.md", "2021-01-01", ("ＳＴＥＥＬＭＡＫＥＲ", None, "2021-01-01 10:00"),
                 ("steelmaker", None, "2021-01-02 10:00"), ("Caf\u00e9", None, "2021-01-01 09:00"))
    people, person_of, problems = people_of(old, new)
    assert handles(people) == ["steelmaker", "Caf\u00e9"]
    assert person_of[same_name_key("ＳＴＥＥＬＭＡＫＥＲ")] is person_of["steelmaker"] is people[0]
    assert len(people[0].comments) == 3 and len(people[1].comments) == 2
    assert sorted((d.path, d.message.split(" (")[0]) for d in problems) == [
        ("content/new.md", "commenter 'ＳＴＥＥＬＭＡＫＥＲ' is shown as 'steelmaker'"),
        ("content/old.md", "commenter 'Cafe\u0301' is shown as 'Caf\u00e9'"),
        ("content/old.md", "commenter 'Steelmaker' is shown as 'steelmaker'"),
    ]
    assert all(not d.is_error for d in problems)


def test_the_name_shown_is_the_newest_that_was_given():
    thread = record("a.md", "2020-01-01", ("reader", "Oldest", "2020-01-01 10:00"),
                    ("reader", "Newer", "2020-01-03 10:00"), ("Reader", None, "2020-01-04 10:00"),
                    ("reader", "", "2020-01-05 10:00"), ("quiet", None, "2020-01-02 10:00"))
    people, _, _ = people_of(thread)
    by_handle = {person.handle: person for person in people}
    assert by_handle["reader"].name == "Newer", "a comment without a name does not clear it"
    assert by_handle["quiet"].name is None


def test_anonymous_comments_belong_to_no_one_and_excluded_handles_are_left_out():
    thread = record("a.md", "2020-01-01", (None, "No handle", "2020-01-01 10:00"), (None, None, None),
                    ("Private Person", None, "2020-01-01 11:00"), ("PRIVATE PERSON", None, "2020-01-01 12:00"),
                    ("open", None, "2020-01-01 13:00"))
    people, person_of, problems = people_of(thread, exclude=("private person",))
    assert handles(people) == ["open"]
    assert set(person_of) == {"open"}
    assert problems == [], "no warning about the spellings of an excluded handle"
    everyone, _, _ = people_of(thread)
    assert handles(everyone) == ["PRIVATE PERSON", "open"], "only the exclusion kept them out"


def test_colliding_slugs_are_allotted_by_handle_not_by_activity():
    quiet_cafe = record("a.md", "2020-01-01", ("Cafe", None, "2020-01-01 10:00"))
    busy_cafe = record("b.md", "2021-01-01", *[("Café", None, f"2021-01-0{n} 10:00") for n in range(1, 4)])
    people, person_of, problems = people_of(quiet_cafe, busy_cafe)
    assert handles(people) == ["Café", "Cafe"], "the busier first"
    assert person_of["cafe"].slug == "cafe" and person_of["café"].slug == "cafe-2"
    assert [(d.path, d.message) for d in problems] == [
        ("content/b.md", "commenter 'Café' has the URL /people/cafe-2/ because 'Cafe' already has /people/cafe/")]
    # The plain commenter falls silent and the other takes over: nobody's URL moves.
    busy_plain = record("a.md", "2020-01-01", *[("Cafe", None, f"2020-01-0{n} 10:00") for n in range(1, 6)])
    people, person_of, _ = people_of(busy_plain, record("b.md", "2021-01-01", ("Café", None, "2021-01-01 10:00")))
    assert handles(people) == ["Cafe", "Café"]
    assert person_of["cafe"].slug == "cafe" and person_of["café"].slug == "cafe-2"


def test_commenters_are_ordered_by_their_count_then_their_latest_comment():
    thread = record("a.md", "2020-01-01",
                    ("two-early", None, "2020-01-01 10:00"), ("two-early", None, "2020-01-02 10:00"),
                    ("two-late", None, "2020-01-01 11:00"), ("two-late", None, "2020-01-03 10:00"),
                    ("three", None, "2020-01-01 12:00"), ("three", None, "2020-01-01 13:00"),
                    ("three", None, "2020-01-01 14:00"), ("one", None, "2020-02-01 10:00"))
    people, _, _ = people_of(thread)
    assert handles(people) == ["three", "two-late", "two-early", "one"]
    latest = [person.comments[0].when for person in people]
    assert latest[1] > latest[2]
    three = people[0]
    assert [ref.position for ref in three.comments] == [6, 5, 4], "each commenter's comments newest first"


def test_an_undated_comment_counts_as_of_its_articles_date():
    older = record("older.md", "2020-01-01", ("dated", None, "2020-06-01 10:00"))
    newer = record("newer.md", "2021-01-01", ("undated", None, None), ("both", None, None))
    oldest = record("oldest.md", "2019-01-01", ("both", None, "2019-12-31 10:00"))
    people, person_of, _ = people_of(older, newer, oldest)
    assert person_of["undated"].comments[0].when == at("2021-01-01").timestamp()
    assert handles(people) == ["both", "undated", "dated"], "'undated' wrote last: as of 2021-01-01"
    assert [ref.key for ref in person_of["both"].comments] == ["newer.md", "oldest.md"]
    assert person_of["both"].articles == (("newer.md", 1), ("oldest.md", 1)), "ties: the newer article first"


# ---- comments_chart -----------------------------------------------------------------------------

def test_no_comments_no_chart():
    assert comments_chart(Counter(), words_for("en")) is None


def test_the_months_run_from_the_first_to_the_last_with_empty_ones_filled():
    chart = comments_chart(Counter({(2019, 11): 3, (2020, 2): 7}), words_for("en"))
    assert [bar.label for bar in chart.bars] == ["November 2019: 3 comments", "December 2019: 0 comments",
                                                 "January 2020: 0 comments", "February 2020: 7 comments"]
    assert [bar.height for bar in chart.bars][1:3] == [0, 0]
    assert chart.bars[3].height > chart.bars[0].height > 0
    assert all(math.isclose(bar.y + bar.height, chart.plot_bottom) for bar in chart.bars), "bars stand on the axis"
    assert all(bar.y >= chart.plot_top and bar.x >= chart.plot_left for bar in chart.bars)
    slot = (chart.width - chart.plot_left - RIGHT) / 4
    assert [(tick.label, tick.position) for tick in chart.years] == [("2019", chart.plot_left),
                                                                     ("2020", chart.plot_left + 2 * slot)]
    assert chart.summary.endswith("the busiest month was February 2020, with 7.")
    assert "November 2019 to February 2020: 10 in all" in chart.summary


def test_a_year_that_starts_just_before_the_next_is_not_labelled_on_top_of_it():
    chart = comments_chart(Counter({(2019, 12): 3, (2023, 6): 7}), words_for("en"))
    assert [tick.label for tick in chart.years] == ["2020", "2021", "2022", "2023"]
    gaps = [b.position - a.position for a, b in zip(chart.years, chart.years[1:])]
    assert min(gaps) >= YEAR_SPACING


def test_a_last_year_of_a_month_or_two_is_not_labelled_past_the_edge():
    chart = comments_chart(Counter({(2019, 1): 3, (2023, 2): 7}), words_for("en"))
    assert [tick.label for tick in chart.years] == ["2019", "2020", "2021", "2022"]
    assert chart.width - chart.years[-1].position >= YEAR_SPACING


def test_the_table_leaves_months_outside_the_chart_empty():
    chart = comments_chart(Counter({(2019, 11): 3, (2020, 2): 7}), words_for("en"))
    assert chart.months[0] == "Jan" and len(chart.months) == 12
    assert [(row.year, row.counts) for row in chart.rows] == [
        ("2019", (None,) * 10 + ("3", "0")),
        ("2020", ("0", "7") + (None,) * 10),
    ]


def test_numbers_are_written_in_the_sites_language():
    chart = comments_chart(Counter({(2019, 3): 1204, (2019, 4): 1}), words_for("ru"))
    assert chart.rows[0].counts[2] == "1\xa0204"
    assert "1\xa0204" in chart.summary and "март 2019" in chart.summary
    assert comments_chart(Counter({(2019, 3): 1204}), words_for("en")).bars[0].label == "March 2019: 1,204 comments"


@pytest.mark.parametrize("largest", [1, 2, 3, 4, 5, 7, 9, 10, 17, 23, 40, 41, 99, 101, 250, 1204, 99999])
def test_gridlines_are_round_and_few(largest):
    chart = comments_chart(Counter({(2020, 1): largest, (2020, 3): 1}), words_for("en"))
    values = [int(tick.label.replace(",", "")) for tick in chart.levels]
    step = values[1] - values[0]
    assert values == list(range(0, values[-1] + 1, step)), "evenly spaced from zero"
    assert int(str(step)[0]) in (1, 2, 5) and set(str(step)[1:]) <= {"0"}, f"a round step, not {step}"
    assert values[-1] >= largest > values[-2], "the top gridline is the first at or above the busiest month"
    assert len(values) - 1 <= GRIDLINES
    assert math.isclose(chart.levels[0].position, chart.plot_bottom)
    assert math.isclose(chart.levels[-1].position, chart.plot_top)


def test_a_long_digest_labels_at_most_a_dozen_years():
    chart = comments_chart(Counter({(1990, 5): 2, (2024, 8): 3}), words_for("en"))
    assert len(chart.bars) == 12 * 34 + 4
    assert 1 <= len(chart.years) <= 12 and chart.years[0].label == "1990"
    assert [row.year for row in chart.rows] == [str(year) for year in range(1990, 2025)]
