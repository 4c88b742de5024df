"""HTML structure that trafilatura flattens away: picture captions, related-story links and the
page's <h1> reach the rules as hints; text input, which has no markup, is left alone."""
import json

from cleaner import clean
from cleaner.ingest import document_from_record
from cleaner.pipeline import clean_document

from conftest import ROOT

URL = "https://news.example.com/2019/11/storm-hits-coast"
HEAD = f"""<!DOCTYPE html>
<html><head><title>Storm hits coast - Example News</title>
<link rel="canonical" href="{URL}">
<meta name="description" content="The storm made landfall at dawn on Monday, forecasters said, and thousands of homes lost power across the region.">
</head><body><nav><a href="/">Home</a> <a href="/weather">Weather</a></nav>
<article><h1>Storm hits the coast, cutting power to thousands</h1>
<p>The storm made landfall at dawn on Monday, forecasters said, and thousands of homes lost power across the region.</p>
"""
BODY = """<p>Crews worked through the night to restore electricity, the utility company said on Tuesday, and most homes had power again by noon.</p>
<p>Schools will reopen on Wednesday, the district said, once the roads are clear of fallen trees and debris.</p>
<p>Residents were urged to stay indoors while the wind remained strong, and to report fallen power lines to the police.</p>
<p>Officials said the damage would take weeks to assess, but that no one had been seriously hurt in the storm.</p>
"""
CAPTION = "Waves break over the sea wall in the harbour town"
LINK = "STORM CLOSES SCHOOLS ACROSS THE REGION"
PAGE = HEAD + f"""<div class="media-block"><img src="/img/harbour.jpg" alt=""><span class="small gray">{CAPTION}</span></div>
<p><strong><a href="/2019/11/storm-closes-schools-across-region">{LINK}</a></strong></p>
""" + BODY + """<ul>
<li><a href="/2019/10/how-to-prepare-your-home-for-winter-storms">How to prepare your home for winter storms</a></li>
<li>Keep a torch and spare batteries in an easy place to find, the fire service said.</li>
<li><a href="/2019/09/the-wettest-autumn-on-record-in-pictures">The wettest autumn on record in pictures</a></li>
</ul></article></body></html>"""


def clean_html(html, url=URL):
    return clean_document(document_from_record("page", {"html": html, "url": url}))


def by_rule(result):
    return {(r.rule, r.category, r.text) for r in result.removed}


def test_captions_and_related_links_go_under_their_own_rules():
    result = clean_html(PAGE)
    removed = by_rule(result)
    assert ("generic.caption.html-caption", "caption", CAPTION) in removed
    assert ("generic.related.html-story-link", "related", LINK) in removed
    for item in ("How to prepare your home for winter storms",
                 "The wettest autumn on record in pictures"):
        assert ("generic.related.html-story-link", "related", f"- {item}") in removed
        assert item not in result.body
    assert CAPTION not in result.body and LINK not in result.body
    # the list item that is not a link, and every paragraph, stay
    assert "Keep a torch and spare batteries" in result.body
    assert result.body.startswith("The storm made landfall at dawn on Monday")
    assert "no one had been seriously hurt" in result.body


def test_the_h1_is_the_headline_even_when_the_title_tag_differs():
    result = clean_html(PAGE)
    assert result.title == "Storm hits the coast, cutting power to thousands"
    assert result.provenance["title"] == "generic.metadata.title"


def test_a_lede_copied_into_the_meta_description_stays_in_the_body():
    result = clean_html(PAGE)
    assert result.subtitle is None
    assert result.body.startswith("The storm made landfall at dawn on Monday")


def test_an_article_paragraph_that_is_also_a_link_elsewhere_stays():
    sentence = "Schools will reopen on Wednesday, the district said"
    page = HEAD + f"<p>{sentence}</p>\n" + BODY + f"""</article>
<aside><ul><li><a href="/2019/11/schools-will-reopen-on-wednesday">{sentence}</a></li></ul></aside>
</body></html>"""
    result = clean_html(page)
    assert sentence in result.body.split("\n\n")
    assert not any(r.category == "related" for r in result.removed)


def test_a_caption_that_the_article_also_prints_as_a_paragraph_stays():
    page = HEAD + f"""<div class="media-block"><img src="/a.jpg"><span>{CAPTION}</span></div>
""" + BODY + f"<p>{CAPTION}</p></article></body></html>"
    result = clean_html(page)
    assert CAPTION in result.body
    assert not any(r.rule == "generic.caption.html-caption" for r in result.removed)


def test_links_to_other_sites_and_links_in_headings_stay():
    page = HEAD + """<p><a href="https://weather.example.org/reports/storm-season-report-2019">Read the storm season report from the weather service</a></p>
<h3><a href="/2019/11/best-generators-for-a-power-cut">The best generators for a power cut</a></h3>
""" + BODY + "</article></body></html>"
    result = clean_html(page)
    assert "Read the storm season report from the weather service" in result.body
    assert "The best generators for a power cut" in result.body


def test_text_input_is_untouched_by_the_html_rules():
    html_result = clean_html(PAGE)
    # the same lines as plain text: no markup, so no caption or story-link removals
    lines = [CAPTION, LINK, "Crews worked through the night to restore electricity, the utility "
             "company said on Tuesday, and most homes had power again by noon."]
    result = clean("\n\n".join(lines), url=URL)
    assert not any(r.rule.startswith(("generic.caption.html", "generic.related.html"))
                   for r in result.removed)
    assert set(html_result.to_dict()) == set(result.to_dict())      # the same record fields


def test_removed_spans_quote_the_extracted_text():
    doc = document_from_record("page", {"html": PAGE, "url": URL})
    result = clean_document(doc)
    for r in result.removed:
        assert doc.text[r.start:r.end] == r.text


def test_benchmark_sample_loses_no_gold_line_to_the_html_rules():
    aeb = ROOT / "fixtures" / "aeb"
    gold = json.loads((aeb / "ground-truth.json").read_text(encoding="utf-8"))
    for pid, item in gold.items():
        html = (aeb / f"{pid}.html").read_text(encoding="utf-8")
        result = clean_html(html, item["url"])
        body = " ".join(item["articleBody"].split())
        for r in result.removed:
            if r.rule.startswith(("generic.caption.html", "generic.related.html")):
                assert " ".join(r.text.split()) not in body, (pid, r.text)


def test_a_short_label_above_the_h1_does_not_hide_the_headline():
    page = HEAD.replace("<article><h1>", "<article><div class=\"kicker\">Weather</div><h1>") + BODY \
        + "</article></body></html>"
    result = clean_html(page)
    assert result.title == "Storm hits the coast, cutting power to thousands"
    assert "Storm hits the coast, cutting power" not in result.body


def _sister_links(n):
    items = [("2019/11/storm-season-report-for-the-coast", "Storm season report for the coast"),
             ("2019/11/river-levels-on-the-coast-today", "River levels on the coast today"),
             ("2019/11/the-wettest-autumn-in-pictures", "The wettest autumn in pictures")][:n]
    return "".join(f'<p><a href="https://weather.example.org/{path}">{text}</a></p>\n'
                   for path, text in items), [text for _, text in items]


def test_three_links_in_a_row_to_another_sites_stories_go_two_stay():
    links, texts = _sister_links(3)
    result = clean_html(HEAD + links + BODY + "</article></body></html>")
    assert all(t not in result.body for t in texts)
    assert {r.rule for r in result.removed if r.text in texts} == {"generic.related.html-story-link"}
    links, texts = _sister_links(2)
    result = clean_html(HEAD + links + BODY + "</article></body></html>")
    assert all(t in result.body for t in texts)


def test_same_site_is_the_registrable_domain_under_a_two_part_suffix():
    """On a .co.uk site, a link to another subdomain of the same site is a related-story link;
    a link to another .co.uk site is not the same site (one such link alone stays)."""
    url = "https://www.example.co.uk/news/2019/11/storm-hits-coast"
    same = PAGE.replace('href="/2019/11/storm-closes-schools-across-region"',
                        'href="https://sport.example.co.uk/2019/11/storm-closes-schools-across-region"')
    assert ("generic.related.html-story-link", "related", LINK) in by_rule(clean_html(same, url))
    other = PAGE.replace('href="/2019/11/storm-closes-schools-across-region"',
                         'href="https://www.another.co.uk/2019/11/storm-closes-schools-across-region"')
    assert LINK in clean_html(other, url).body
    # suffixes no short list knows: two ministries under .gob.mx are two sites
    other = PAGE.replace('href="/2019/11/storm-closes-schools-across-region"',
                         'href="https://www.salud.gob.mx/2019/11/storm-closes-schools-across-region"')
    assert LINK in clean_html(other, "https://www.sep.gob.mx/news/2019/11/storm-hits-coast").body
