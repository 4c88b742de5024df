"""Printed dates become ISO 8601 the way a reader of that date would read it."""
import pytest

from cleaner import clean
from cleaner.metadata import authors, iso_date
from cleaner.rules import load_rules


@pytest.mark.parametrize("printed,iso", [
    ("DECEMBER 29, 2019 20:30", "2019-12-29T20:30:00"),
    ("05.11.2019", "2019-11-05"),
    ("05/11/2019", "2019-11-05"),
    ("11/20/2019", "2019-11-20"),
    ("20.11.2019 08:00", "2019-11-20T08:00:00"),
    ("Published: 30 December 2019", "2019-12-30"),
    ("20/11/2019 08h00", "2019-11-20T08:00:00"),
    ("Wed 20 Nov 2019 08.00 GMT", "2019-11-20T08:00:00"),    # a clock with a dot
    ("20 November 2019 at 8.30pm", "2019-11-20T20:30:00"),
    ("20.11.2019 08.00", "2019-11-20T08:00:00"),             # the date's dots stay a date
    ("08:00 GMT, 20 Nov 2019", "2019-11-20T08:00:00"),       # only the zone is dropped
    ("Nov 20, 2019 08:00 GMT+2", "2019-11-20T08:00:00"),
    ("2019-11-20 08:00:00.12", "2019-11-20T08:00:00"),      # fractions of a second, not a clock
])
def test_printed_dates(printed, iso):
    assert iso_date(printed) == iso


@pytest.mark.parametrize("printed,iso", [
    ("20 novembre 2019 à 08h00", "2019-11-20T08:00:00"),
    ("1er janvier 2020", "2020-01-01"),
    ("20 févr. 2019", "2019-02-20"),
    ("20. November 2019, 08:00", "2019-11-20T08:00:00"),
    ("Mittwoch, 20. Dezember 2019", "2019-12-20"),
    ("20 de noviembre de 2019, 08:00", "2019-11-20T08:00:00"),
    ("3 mar 2021", "2021-03-03"),
    ("20 novembre 2019", "2019-11-20"),
    ("22 de outubro de 2010 às 20:13", "2010-10-22T20:13:00"),
    ("20.nov.2019 às 8h00", "2019-11-20T08:00:00"),
    ("20 ноября 2019 г. в 08:00", "2019-11-20T08:00:00"),
])
def test_dates_in_the_languages_of_the_packs(printed, iso):
    """Month names come from rules/vocab/months.toml; a clock may be written 08h00."""
    assert iso_date(printed, load_rules()) == iso


@pytest.mark.parametrize("printed,iso", [
    ("Nov 20, 2019 (updated 2h ago)", "2019-11-20"),    # a duration, not a clock
    ("20 Nov 2019 · 3 h read", "2019-11-20"),
    ("Updated 5 out of 10", None),                      # 'out' is October only in a date
    ("20 JUİN 2019", None),                             # folds to no known name: left as is
])
def test_month_names_and_clocks_only_where_a_date_has_them(printed, iso):
    assert iso_date(printed, load_rules()) == iso


@pytest.mark.parametrize("line,iso", [
    ("Publié le 20 novembre 2019 à 08h00", "2019-11-20T08:00:00"),
    ("Publicado el 20 de noviembre de 2019", "2019-11-20"),
    ("Опубликовано 20 ноября 2019", "2019-11-20"),
    ("Pubblicato il 20 novembre 2019", "2019-11-20"),
    ("Wed 20 Nov 2019 08.00 GMT", "2019-11-20T08:00:00"),        # British: a dot clock
    ("Published: 20 November 2019 8.30pm BST", "2019-11-20T20:30:00"),
])
@pytest.mark.parametrize("headline", ["", "Council Backs Budget After Long Debate\n\n"])
def test_a_removed_date_line_gives_the_publication_date(line, iso, headline):
    result = clean(f"{headline}{line}\n\nThe council met on Tuesday and voted on the budget "
                   f"for the coming year after a long debate.")
    assert result.published == iso
    assert line not in result.body


@pytest.mark.parametrize("line,byline,agencies", [
    ("By Jane Doe and John Smith, Reuters", ("Jane Doe", "John Smith"), ("Reuters",)),
    ("By JANE DOE | Associated Press", ("Jane Doe",), ("AP",)),
    ("By Jane Doe, The Associated Press", ("Jane Doe",), ("AP",)),     # not a second author
    ("By Jane Doe, Agence France-Presse", ("Jane Doe",), ("AFP",)),
    ("By Jane Doe, Staff Writer", ("Jane Doe",), ()),       # a job, not an agency
    ("By Jane Doe, CNN", ("Jane Doe",), ()),                # an outlet, not a wire agency
])
def test_a_wire_agency_after_the_byline_is_one_of_the_agencies(line, byline, agencies):
    result = clean(f"Council Backs Budget After Long Debate\n\n{line}\n\nThe council met on "
                   f"Tuesday and voted on the budget for the coming year after a long debate.")
    assert (result.byline, result.agencies) == (byline, agencies)


@pytest.mark.parametrize("caption,credits", [
    ("Protesters in Baghdad, Iraq, December 29, 2019. REUTERS/Thaier al-Sudani/File Photo",
     ("Reuters",)),
    ("REUTERS/Jason Lee", ("Reuters",)),                    # the credit on a line of its own
    ("Brendan McDermid/Reuters", ("Reuters",)),
    ("A view of the launch pad. (Image credit: NASA)", ("NASA",)),    # an acronym stays one
    ("The crowd at the rally. PHOTO: JANE DOE", ("Jane Doe",)),
    ("The scene of the crash on Tuesday. PHOTO: FACEBOOK", ("Facebook",)),   # a name, not an acronym
    ("Protesters in Baghdad on Sunday. REUTERS/Thaier al-Sudani/File photo", ("Reuters",)),
])
def test_a_picture_credit_names_who_took_it(caption, credits):
    result = clean(f"Council Backs Budget After Long Debate\n\nThe council met on Tuesday and "
                   f"voted on the budget for the coming year after a long debate.\n\n{caption}"
                   f"\n\nThe vote was close, and the mayor said the work would start in spring.")
    assert result.photo_credits == credits
    assert caption not in result.body


@pytest.mark.parametrize("printed,names", [
    ("By Greg Beacham, AP Sports Writer", ["Greg Beacham"]),
    ("By Jane Doe, Staff Writer", ["Jane Doe"]),
    ("By JOSH BOAK and CHRISTOPHER RUGABER", ["Josh Boak", "Christopher Rugaber"]),
    ("By Maria Chen and Tom Editore", ["Maria Chen", "Tom Editore"]),
])
def test_a_byline_names_its_authors_not_their_jobs(printed, names):
    assert authors(printed) == names
