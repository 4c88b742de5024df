"""Detector behaviour that needs the article's URL (rule examples are plain text without one)."""
from cleaner import clean

STORY = ("A cat who has been missing for five years in Portland, Oregon, has been found in "
         "Santa Fe, New Mexico, animal control officers said on Tuesday.\n\n"
         "The cat, named Mittens, was identified by a microchip and will be flown home.")


def test_the_articles_own_url_printed_as_a_line_goes():
    url = "https://www.mysanantonio.com/news/article/Cat-found-in-New-Mexico-14848175.php"
    text = f"{url}\n\nCat found in New Mexico after going missing in Oregon\n\n{STORY}"
    result = clean(text, url=url)
    assert [r.rule for r in result.removed if r.text == url] == ["generic.chrome.own-url"]
    assert result.title == "Cat found in New Mexico after going missing in Oregon"
    assert result.body == STORY


def test_a_cited_url_of_another_site_stays_even_beside_its_headline():
    cited = "http://syiahali.wordpress.com/2011/09/07/fatwa-para-ulama-larangan-mencaci-para-sahabat/"
    text = (f"{STORY}\n\nKhamenei: Haram Menghina Istri Nabi dan Simbol Ahlusunah\n\n{cited}\n\n"
            "Fatwa Para Ulama Syi'ah Larangan Mencaci Para Sahabat\n\nThe fatwa was issued in 2011.")
    result = clean(text, url="https://kabarislamia.com/2015/03/30/some-story-slug-here/")
    assert cited in result.body


def test_a_page_header_without_its_story_is_all_metadata():
    url = "https://thehill.com/blogs/blog-briefing-room/news/471031-new-york-man-pleads-guilty-to-threatening-to-kill-omar"
    text = "New York man pleads guilty to threatening to kill Omar\n\nBy Justine Coleman - 11/18/19 11:04 PM EST"
    result = clean(text, url=url)
    assert result.title == "New York man pleads guilty to threatening to kill Omar"
    assert result.body == "" and not result.warnings
    header = ("Daily Deals: More Black Friday Deals Are Live, Including PS4 DualShock Controller\n\n"
              "Black Friday is Next Week, But Several Deals Go Live Today\n\nUpdated: 18 Nov 2019 9:38 pm")
    result = clean(header)
    assert result.subtitle == "Black Friday is Next Week, But Several Deals Go Live Today"
    assert result.body == ""


def test_a_short_line_alone_or_over_a_sentence_is_not_taken_for_a_header():
    assert clean("Storm hits coast").body == "Storm hits coast"
    text = "Storm hits the northern coast at dawn\n\nThousands lost power.\n\nBy Jane Doe"
    assert clean(text).body == "Storm hits the northern coast at dawn\n\nThousands lost power."
