"""extend = "run": the headlines under a header such as 'Related articles'."""
from cleaner import clean

STORY = ("The band unveiled its plans on Monday night in Nashville, bringing out its former "
         "singer during an encore to perform two of its best-known songs.")


def test_a_question_inside_the_list_is_a_headline():
    r = clean(f"{STORY}\n\nYou may also like...\n\nWho will make the Rock Hall in 2020?\n\n"
              "Fans really want The Doobie Brothers in the Rock Hall")
    assert r.body == STORY


def test_a_question_alone_under_the_header_stays():
    question = "Will the band tour Europe next year?"
    r = clean(f"{STORY}\n\nRelated articles\n\n{question}\n\n"
              "The singer said the band had not decided yet, and would talk it over in January.")
    assert question in r.body


def test_a_sentence_ends_the_run():
    r = clean(f"{STORY}\n\nRelated articles\n\nBand announces reunion tour\n\n"
              "The singer said the band had not decided yet.")
    assert "Band announces reunion tour" not in r.body
    assert "The singer said the band had not decided yet." in r.body
