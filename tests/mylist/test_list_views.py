"""Keeping a list with the Flask test client over realistic listings: add, remove, notes,
clear, the cap, services withdrawn since they were added, CSRF and the redirects back."""

from __future__ import annotations

import re
import uuid

from flask import render_template_string

from directory.db import db
from directory.models import ListingStatus, Service
from tests.mylist.conftest import add, csrf_token, text
from tests.public.conftest import PublicData, text_of


class TestAdd:
    def test_add_redirects_back_and_the_list_shows_the_service(self, client, data: PublicData):
        food_bank = data.service("Blacon Food Bank")
        response = add(client, food_bank.id, next_path="/search?q=food&where=CH1")
        assert response.status_code == 303
        assert response.headers["Location"] == "/search?q=food&where=CH1"
        page = text(client, "/my-list")
        assert "Added Blacon Food Bank to your list. View your list" in page
        assert "You have 1 service on your list." in page

    def test_banner_shows_on_the_service_page_it_returns_to(self, client, data: PublicData):
        """The site layout includes mylist/banner.html, so the banner shows on the page the
        visitor returns to."""
        demo = data.demo
        page_url = f"/services/{demo.id}"
        service_page = client.get(page_url, follow_redirects=True)
        response = add(client, demo.id, next_path=service_page.request.path)
        assert response.headers["Location"] == service_page.request.path
        html = client.get(response.headers["Location"]).data.decode()
        assert "govuk-notification-banner--success" in html
        assert f"Added {demo.name} to your list" in text_of(html.encode())

    def test_comes_back_to_the_result_it_was_added_from(self, client, data: PublicData):
        """The results page sends ``next`` with the result's id, so the browser scrolls back to
        it; anything in the fragment other than an element id is dropped."""
        food_bank = data.service("Blacon Food Bank")
        back = f"/search?q=food&where=CH1#result-{food_bank.id}-area"
        assert add(client, food_bank.id, next_path=back).headers["Location"] == back
        for fragment in ('#x"onmouseover="alert(1)', "#<script>", "#a b", "#" + "a" * 200):
            response = add(client, food_bank.id, next_path="/search?q=food" + fragment)
            assert response.headers["Location"] == "/search?q=food", fragment

    def test_without_next_it_goes_back_to_the_referring_page(self, client, data: PublicData):
        service = data.service("Hoole Knit and Natter")
        response = client.post(
            "/my-list/add",
            data={"service_id": service.id},
            headers={"Referer": "http://localhost/hubs"},
        )
        assert response.headers["Location"] == "/hubs"

    def test_without_next_or_referrer_it_goes_to_the_service(self, client, data: PublicData):
        service = data.service("Hoole Knit and Natter")
        response = add(client, service.id)
        assert response.headers["Location"] == f"/services/{service.id}"

    def test_never_redirects_to_another_site(self, client, data: PublicData):
        service = data.service("Hoole Knit and Natter")
        for target in (
            "https://evil.example/",
            "//evil.example/x",
            "/\\evil.example",
            "javascript:x",
        ):
            response = client.post(
                "/my-list/add",
                data={"service_id": service.id, "next": target},
                headers={"Referer": "https://evil.example/page"},
            )
            assert response.headers["Location"] == f"/services/{service.id}", target

    def test_adding_twice_says_it_is_already_there(self, client, data: PublicData):
        service = data.service("Blacon Food Bank")
        add(client, service.id, "/")
        add(client, service.id, "/")
        page = text(client, "/my-list")
        assert "Blacon Food Bank is already on your list" in page
        assert "You have 1 service on your list." in page

    def test_only_public_services_can_be_added(self, client, data: PublicData):
        for hidden in data.directory.hidden.values():
            assert add(client, hidden.id, "/").status_code == 303
        assert add(client, str(uuid.uuid4()), "/").status_code == 303
        page = text(client, "/my-list")
        assert "This service is no longer listed, so it cannot be added" in page
        assert "Your list is empty." in page

    def test_missing_service_id_is_a_bad_request(self, client, data: PublicData):
        assert client.post("/my-list/add", data={}).status_code == 400

    def test_the_list_is_capped(self, make_app):
        app = make_app(MYLIST_MAX_ITEMS=3)
        from tests.mylist.conftest import load_data

        data = load_data(app)
        client = app.test_client()
        names = [
            "Blacon Food Bank",
            "Hoole Knit and Natter",
            "Neston Men's Shed",
            "Whitby Warm Space",
        ]
        responses = [add(client, data.service(name).id, "/") for name in names]
        assert [r.headers["Location"] for r in responses] == ["/", "/", "/", "/my-list"]
        page = text(client, "/my-list")
        assert "Your list is full, so Whitby Warm Space was not added." in page
        assert "A list can hold up to 3 services." in page
        assert "That is the most a list can hold." in page
        assert "Whitby Warm Space" not in page.split("Services on your list")[1]


class TestListPage:
    def test_shows_what_the_person_needs_for_each_service(self, client, data: PublicData):
        add(client, data.service("Blacon Food Bank").id, "/")
        add(client, data.service("Silver Line Chester").id, "/")
        page = text(client, "/my-list")
        assert "Blacon Food Bank" in page
        assert "Run by Cheshire Community Action" in page
        assert "01632 960001" in page
        assert "blacon-food-bank@example.org" in page
        assert "Every Friday, midday to 3pm" in page, "opening times in words"
        assert "Blacon Community Hub Western Avenue Chester CH1 5BE" in page
        assert "Every day, 8am to 8pm" in page
        assert "Address By phone Cost" in page, "a phone line has no address: it says how"
        assert "By phone or online" not in page, "it is not an online service"
        assert "Cost Free" in page
        assert "No note" in page

    def test_services_withdrawn_since_adding_are_no_longer_listed(self, app, client, data):
        cafe = data.service("Blacon Friendship Café")
        add(client, cafe.id, "/")
        add(client, data.service("Blacon Food Bank").id, "/")
        client.post(f"/my-list/{cafe.id}/note", data={"note": "Ask for Pat"})
        with app.app_context():
            db.session.get(Service, cafe.id).listing_status = ListingStatus.CLOSED
            db.session.commit()
        page = text(client, "/my-list")
        assert "Blacon Friendship Café No longer listed." in page
        assert "Ask for Pat" in page, "the note stays so the person knows what it was"
        assert "Remove Blacon Friendship Café from list" in page
        sheet = text(client, "/my-list/print")
        assert "Blacon Friendship Café" not in sheet
        assert "1 service on this list is no longer listed, so it is left out." in sheet

    def test_demonstration_and_safety_features(self, client, data: PublicData):
        add(client, data.demo.id, "/")
        add(client, data.refuge.id, "/")
        html = client.get("/my-list").data.decode()
        assert "Demonstration listing: not a real service." in text_of(html.encode())
        assert "govuk-exit-this-page" in html
        assert "how to cover your tracks online" in html

    def test_empty_list(self, client, data: PublicData):
        page = text(client, "/my-list")
        assert "Your list is empty." in page
        assert "Print your list" not in page

    def test_navigation_marks_my_list(self, client, data: PublicData):
        html = client.get("/my-list").data.decode()
        assert (
            '<a class="govuk-service-navigation__link" href="/my-list" aria-current="page">' in html
        )

    def test_pages_are_not_kept_in_caches(self, client, data: PublicData):
        add(client, data.demo.id, "/")
        for url in ("/my-list", "/my-list/print", "/my-list/easy-read", "/my-list/handover.pdf"):
            response = client.get(url)
            assert response.headers["Cache-Control"] == "no-store", url
        css = client.get("/my-list/static/mylist.css")
        assert css.status_code == 200
        assert "no-store" not in css.headers.get("Cache-Control", "")


class TestRemoveNoteClear:
    def test_remove(self, client, data: PublicData):
        food_bank = data.service("Blacon Food Bank")
        add(client, food_bank.id, "/")
        response = client.post(
            "/my-list/remove", data={"service_id": food_bank.id, "next": "/my-list"}
        )
        assert response.headers["Location"] == "/my-list"
        page = text(client, "/my-list")
        assert "Removed Blacon Food Bank from your list." in page
        assert "Your list is empty." in page

    def test_note_is_saved_shown_as_plain_text_and_limited(self, client, data: PublicData):
        service = data.service("Neston Men's Shed")
        add(client, service.id, "/")
        form_page = text(client, f"/my-list/{service.id}/note")
        assert "Add a note" in form_page and "Neston Men's Shed" in form_page
        response = client.post(
            f"/my-list/{service.id}/note", data={"note": "Ask for <b>Dave</b>\nBring boots"}
        )
        assert response.headers["Location"] == f"/my-list#item-{service.id}"
        html = client.get("/my-list").data.decode()
        assert "Ask for &lt;b&gt;Dave&lt;/b&gt;\nBring boots" in html
        assert "Saved your note for Neston Men" in text_of(html.encode())
        assert "Change note" in html
        too_long = client.post(f"/my-list/{service.id}/note", data={"note": "x" * 201})
        assert too_long.status_code == 200
        assert "Your note must be 200 characters or fewer" in text_of(too_long.data)
        assert "Error:" in text_of(too_long.data).split(" - ")[0]

    def test_note_for_a_service_not_on_the_list_is_not_found(self, client, data: PublicData):
        service = data.service("Neston Men's Shed")
        assert client.get(f"/my-list/{service.id}/note").status_code == 404
        assert client.post(f"/my-list/{service.id}/note", data={"note": "x"}).status_code == 404

    def test_clear_asks_first(self, client, data: PublicData):
        add(client, data.service("Blacon Food Bank").id, "/")
        add(client, data.service("Hoole Knit and Natter").id, "/")
        confirm = text(client, "/my-list/clear")
        assert "Are you sure you want to clear your list?" in confirm
        assert "removes the 2 services on your list and your notes" in confirm
        assert client.post("/my-list/clear").headers["Location"] == "/my-list"
        page = text(client, "/my-list")
        assert "Your list has been cleared." in page
        assert "Your list is empty." in page


class TestCsrf:
    def test_every_change_needs_the_token_when_csrf_is_on(self, make_app):
        from tests.mylist.conftest import load_data

        app = make_app(WTF_CSRF_ENABLED=True)
        data = load_data(app)
        client = app.test_client()
        service_id = data.service("Blacon Food Bank").id
        assert client.post("/my-list/add", data={"service_id": service_id}).status_code == 400
        assert client.post("/my-list/clear").status_code == 400
        assert client.post("/my-list/share").status_code in {200, 400}
        token = csrf_token(client.get(f"/services/{service_id}", follow_redirects=True).data)
        response = client.post("/my-list/add", data={"service_id": service_id, "csrf_token": token})
        assert response.status_code == 303
        list_html = client.get("/my-list").data
        token = csrf_token(list_html)
        note = client.post(f"/my-list/{service_id}/note", data={"note": "Hi"})
        assert note.status_code == 400
        note = client.post(f"/my-list/{service_id}/note", data={"note": "Hi", "csrf_token": token})
        assert note.status_code == 303


class TestButtonMacro:
    def test_add_or_remove_depending_on_the_list(self, app, client, data: PublicData):
        service = data.service("Blacon Food Bank")
        template = (
            '{% from "mylist/button.html" import mylist_button %}'
            "{{ mylist_button(service_id, name) }}"
        )
        with app.test_request_context("/search?q=food"):
            html = render_template_string(template, service_id=service.id, name=service.name)
        assert 'action="/my-list/add"' in html
        assert 'name="next" value="/search?q=food"' in html
        assert 'Add to my list<span class="govuk-visually-hidden">: Blacon Food Bank' in html
        with app.test_request_context("/"):
            from flask import session

            session["mylist"] = [[service.id, service.name, ""]]
            html = render_template_string(template, service_id=service.id, name=service.name)
        assert 'action="/my-list/remove"' in html
        assert "Remove from my list" in html


def test_menu_shows_how_many_services_are_on_the_list(client, data: PublicData):
    """A link worker adding services from several searches sees the list grow on every page."""
    html = client.get("/").get_data(as_text=True)
    assert re.search(r">\s*My list\s*<", html)
    add(client, data.service("Blacon Food Bank").id, "/")
    add(client, data.service("Silver Line Chester").id, "/")
    html = client.get("/").get_data(as_text=True)
    assert re.search(r">\s*My list \(2\)\s*<", html)
