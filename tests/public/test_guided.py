"""The guided journey ("What do you need help with?") over the seed data: three GET question
pages whose answers travel in the URL, each validating with an error summary, Back links that
keep the answers, urgent help first, and the results page it ends on."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from tests.public.test_search_page import count_in, get, h1, seeded_site, text_of


@pytest.fixture(scope="module")
def client():
    return seeded_site().app.test_client()


def form_fields(html: str) -> tuple[str, list[tuple[str, str]]]:
    """The question form's action and its hidden fields, as a browser would send them."""
    form = re.search(r'<form method="get" action="([^"]+)" novalidate>(.*?)</form>', html, re.S)
    assert form, "the page has a GET form"
    hidden = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form.group(2))
    return form.group(1), [(name, unescape(value)) for name, value in hidden]


def answer(client, html: str, **choices: str | list[str]):
    """Submit the page's form as a browser without JavaScript would, with these answers."""
    action, pairs = form_fields(html)
    for name, value in choices.items():
        pairs += [(name, v) for v in (value if isinstance(value, list) else [value])]
    return client.get(action + "?" + urlencode(pairs))


def query_of(location: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(location).query)


def test_help_is_a_short_address_for_the_journey(client):
    response = client.get("/help?need=money")
    assert response.status_code == 301
    assert response.headers["Location"] == "/find-help?need=money"


class TestQuestionOne:
    def test_every_top_level_need_with_its_hint_and_urgent_help_first(self, client):
        html = get(client, "/find-help")
        assert h1(html) == "Question 1 of 3 What do you need help with?"
        values = re.findall(r'name="need" type="checkbox" value="([^"]+)"', html)
        assert values[0] == "urgent"
        assert len(values) == 25 and {"money", "loneliness", "domestic-abuse"} <= set(values)
        text = text_of(html)
        assert "Someone is in danger or needs urgent help" in text
        assert "Money, debt and benefits Advice on benefits, debt, bills" in text
        assert "If someone is in danger now, call 999" in text
        assert "<script" not in html.split('id="main-content"', 1)[1].split("</main>", 1)[0]

    def test_nothing_chosen_is_an_error_linked_to_the_question(self, client):
        html = get(client, "/find-help?answered=yes")
        assert re.search(r"<title>\s*Error: What do you need help with\?", html)
        summary = html.split('class="govuk-error-summary"', 1)[1].split("</div>\n</div>", 1)[0]
        assert 'href="#need"' in summary
        assert "Select what you need help with, or that someone is in danger" in summary
        assert 'id="need-error"' in html and 'id="need" name="need"' in html

    def test_answers_go_to_question_two_in_the_address(self, client):
        response = answer(client, get(client, "/find-help"), need=["money", "loneliness"])
        assert response.status_code == 303
        location = response.headers["Location"]
        assert location.startswith("/find-help/who?")
        assert query_of(location) == {"need": ["money", "loneliness"]}

    def test_unknown_needs_in_the_address_are_ignored(self, client):
        html = get(client, "/find-help?answered=yes&need=bogus&need=%3Cscript%3E")
        assert "Select what you need help with" in text_of(html)
        assert "<script>" not in html

    def test_a_later_question_without_this_answer_comes_back_here(self, client):
        response = client.get("/find-help/who?who=me")
        assert response.status_code == 303 and response.headers["Location"].startswith(
            "/find-help?"
        )
        response = client.get("/find-help/where?need=money")
        assert response.status_code == 303
        assert response.headers["Location"].startswith("/find-help/who?")


class TestQuestionTwo:
    def test_who_and_age_are_both_needed(self, client):
        html = get(client, "/find-help/who?need=money&answered=yes&who=me")
        summary = text_of(html.split('class="govuk-error-summary"', 1)[1].split("</ul>", 1)[0])
        assert "Select how old they are, or 'I would rather not say'" in summary
        assert "Select who the help is for" not in summary
        assert 'value="me" checked' in html

    def test_back_goes_to_question_one_with_the_answers_kept(self, client):
        html = get(client, "/find-help/who?need=money&need=food")
        back = unescape(re.search(r'<a href="([^"]+)" class="govuk-back-link"', html).group(1))
        assert query_of(back) == {"need": ["money", "food"]}
        first = get(client, back)
        assert re.search(r'value="money" checked', first) and re.search(
            r'value="food" checked', first
        )

    def test_answers_go_to_question_three(self, client):
        html = get(client, "/find-help/who?need=money")
        response = answer(client, html, who="carer", age="older_people")
        assert response.status_code == 303
        assert query_of(response.headers["Location"]) == {
            "need": ["money"], "who": ["carer"], "age": ["older_people"],
        }  # fmt: skip


class TestQuestionThree:
    url = "/find-help/where?need=money&who=carer&age=older_people"

    def test_the_question_speaks_to_who_it_is_for(self, client):
        assert "Where does the person you care for live?" in h1(get(client, self.url))

    @pytest.mark.parametrize(
        ("choices", "message"),
        [
            ({}, "Enter a postcode or town, or select \u2018I do not know the postcode"),
            ({"where": "Chestr"}, "We could not find a place called 'Chestr'. Did you mean"),
            ({"where": "ZZ99 9ZZ"}, "We could not find 'ZZ99 9ZZ'"),
            ({"where": "x" * 5000}, "We could not find a place called 'xxxx"),
        ],
    )  # fmt: skip
    def test_each_mistake_is_explained(self, client, choices, message):
        response = answer(client, get(client, self.url), **choices)
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        summary = html.split('class="govuk-error-summary"', 1)[1].split("</ul>", 1)[0]
        assert message in text_of(summary) and 'href="#where"' in summary
        assert 'id="where-error"' in html
        assert re.search(r"<title>\s*Error: ", html)

    def test_a_place_ends_on_results_near_it_with_the_filters(self, client):
        response = answer(client, get(client, self.url), where="CH65 0AA")
        assert response.status_code == 303
        location = response.headers["Location"]
        assert query_of(location) == {
            "need": ["money"], "where": ["CH65 0AA"], "age": ["older_people"], "who": ["carer"],
        }  # fmt: skip
        html = get(client, location)
        assert count_in(h1(html)) > 0
        assert h1(html).endswith("for Money, debt and benefits near CH65 0AA")

    def test_not_knowing_shows_the_whole_home_area(self, client):
        response = answer(client, get(client, self.url), anywhere="yes")
        location = response.headers["Location"]
        assert query_of(location)["area"] == ["E06000050"]
        html = get(client, location)
        assert h1(html).endswith("in Cheshire West and Chester") and count_in(h1(html)) > 0

    def test_back_keeps_the_later_answers(self, client):
        html = get(client, self.url + "&where=Neston")
        back = unescape(re.search(r'<a href="([^"]+)" class="govuk-back-link"', html).group(1))
        second = get(client, back)
        assert 'value="carer" checked' in second and 'value="older_people" checked' in second
        _action, hidden = form_fields(second)
        assert ("where", "Neston") in hidden


class TestUrgentHelp:
    def test_urgent_shows_emergency_numbers_first_on_every_later_step(self, client):
        first = get(client, "/find-help")
        response = answer(client, first, need="urgent")
        for step in (
            response.headers["Location"],
            "/find-help/where?need=urgent&who=me&age=adults",
        ):
            html = get(client, step)
            main = html.split('id="main-content"', 1)[1]
            assert main.index("If you are in danger now, call 999") < main.index("<form")
            for number in ("999", "111", "116 123", "0808 2000 247"):
                assert f">{number}</a>" in main
            assert "Skip the questions and see urgent support now" in main

    def test_skipping_goes_straight_to_urgent_support(self, client):
        html = get(client, "/find-help/who?need=urgent")
        skip = unescape(
            re.search(r'<a class="govuk-link" href="([^"]+)">Skip the questions', html).group(1)
        )
        assert query_of(skip) == {
            "need": ["crisis-support", "domestic-abuse"], "urgent": ["yes"],
        }  # fmt: skip
        results = get(client, skip)
        main = results.split('id="main-content"', 1)[1]
        assert main.index("If you are in danger now, call 999") < main.index("<h1")
        assert "govuk-exit-this-page" in results
        assert count_in(h1(results)) > 0

    def test_a_whole_urgent_journey_without_javascript(self, client):
        response = answer(client, get(client, "/find-help"), need=["urgent", "housing"])
        response = answer(client, get(client, response.headers["Location"]), who="me", age="adults")
        response = answer(client, get(client, response.headers["Location"]), where="Chester")
        location = response.headers["Location"]
        assert query_of(location)["urgent"] == ["yes"]
        assert query_of(location)["need"] == ["housing", "crisis-support", "domestic-abuse"]
        html = get(client, location)
        assert "If you are in danger now, call 999" in html and count_in(h1(html)) > 0


def test_domestic_abuse_answers_offer_a_quick_exit(client):
    assert "govuk-exit-this-page" in get(client, "/find-help/who?need=domestic-abuse")
    assert "govuk-exit-this-page" in get(client, "/find-help/where?need=urgent&who=me&age=any")
    assert "govuk-exit-this-page" not in get(client, "/find-help/who?need=money")


def test_carers_are_offered_support_for_themselves(client):
    html = get(client, "/search?need=money&where=Chester&who=carer")
    assert 'href="/search?where=Chester&amp;need=carers-support&amp;who=carer">' in html
    assert "Find support for carers" not in text_of(get(client, "/search?need=money&who=me"))
