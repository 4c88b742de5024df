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
