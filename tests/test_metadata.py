"""Printed dates become ISO 8601 the way a reader of that date would read it."""
import pytest

from cleaner.metadata import authors, iso_date


@pytest.mark.parametrize("printed,iso", [
    ("DECEMBER 29, 2019 20:30", "2019-12-29T20:30:00"),
    ("05.11.2019", "2019-11-05"),
    ("05/11/2019", "2019-11-05"),
    ("11/20/2019", "2019-11-20"),
    ("20.11.2019 08:00", "2019-11-20T08:00:00"),
    ("Published: 30 December 2019", "2019-12-30"),
])
def test_printed_dates(printed, iso):
    assert iso_date(printed) == iso


@pytest.mark.parametrize("printed,names", [
    ("By Greg Beacham, AP Sports Writer", ["Greg Beacham"]),
    ("By Jane Doe, Staff Writer", ["Jane Doe"]),
    ("By JOSH BOAK and CHRISTOPHER RUGABER", ["Josh Boak", "Christopher Rugaber"]),
    ("By Maria Chen and Tom Editore", ["Maria Chen", "Tom Editore"]),
])
def test_a_byline_names_its_authors_not_their_jobs(printed, names):
    assert authors(printed) == names
