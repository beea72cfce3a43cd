"""The rules that read a listing as a whole (docs/inference.md, "Rules and what each one did"):
each shown working on one listing and not over-firing on another."""

from __future__ import annotations

from directory.inference import clauses
from directory.inference.terms import CuratedTerms
from directory.inference.vocabulary import VocabularyMatcher
from tests.inference.test_vocabulary import family, inferred, proposed


def test_the_name_leads_over_a_need_met_in_passing(matcher, curated):
    walk = (
        "Free, friendly walks of about an hour at an easy pace. "
        "A good way to get active, see the area and meet people."
    )
    found = inferred(matcher, curated, name="Health Walks", description=walk)
    assert "walking-groups" in found
    assert not found.keys() & {"loneliness", "social-groups"}


def test_without_a_clear_name_the_same_words_still_count(matcher, curated):
    # The same sentence under a name that names no need: nothing leads, so it counts in full.
    found = inferred(
        matcher,
        curated,
        name="Tuesdays at St Mary's",
        description="A warm welcome and a chance to meet people and make friends.",
    )
    assert "loneliness" in found


def test_the_name_leads_only_over_needs_unrelated_to_it(matcher, curated):
    # Debt is a child of money, named by the name: the description's debt is not discounted.
    found = inferred(
        matcher, curated, name="Money Advice", description="Help with debts and bailiffs."
    )
    assert "debt-advice" in found


def test_the_eligibility_text_leads_over_client_groups_said_in_passing(matcher, curated):
    found = inferred(
        matcher,
        curated,
        name="Holiday Play Scheme",
        description="A holiday club for disabled children and young people.",
        eligibility="For families and children and disabled people.",
    )
    assert {"families-and-children", "disabled-people"} <= found.keys()
    assert "young-people" not in found


def test_without_eligibility_text_the_description_says_who(matcher, curated):
    found = inferred(
        matcher,
        curated,
        name="Holiday Play Scheme",
        description="A holiday club for disabled children and young people.",
    )
    assert "young-people" in found


def test_a_home_visit_without_backing_is_not_befriending(matcher, curated):
    found = proposed(
        matcher,
        curated,
        name="Keep Warm Advice",
        description="Energy advisers visit you at home to help cut your gas and electric bills.",
    )
    assert not found & family(curated, "loneliness")
    assert "bills-and-energy" in found


def test_a_home_visit_about_loneliness_is_befriending(matcher, curated):
    found = inferred(
        matcher,
        curated,
        name="Kelsall Visiting",
        description="A friendly volunteer visits you at home every week for a chat and a "
        "cuppa. For older people who live alone or feel isolated.",
    )
    assert "befriending" in found


def test_a_delivery_saying_still_covers_its_words(matcher, curated):
    # "home visit" is no evidence here, and leaves no "home" behind for housing.
    found = proposed(
        matcher, curated, name="Safe and Well Home Visits", description="Smoke alarms fitted."
    )
    assert not found & family(curated, "housing")


def test_children_speak_for_their_parent(matcher, curated):
    found = inferred(
        matcher,
        curated,
        name="Tech Help Line",
        description="Step-by-step help over the phone with your smartphone, tablet or computer.",
    )
    assert found.keys() & family(curated, "digital-help")


def test_one_weak_mention_of_a_child_does_not_make_its_parent(matcher, curated):
    found = inferred(matcher, curated, name="Library", description="Bring a tablet if you like.")
    assert not found.keys() & family(curated, "digital-help")


def test_a_light_verb_is_not_a_real_word_of_a_saying(matcher, curated):
    # "let's talk" says "talk": one word in a name is not enough on its own.
    found = inferred(
        matcher,
        curated,
        name="Let's Talk Blacon",
        description="Come for an early conversation about your worries.",
    )
    assert "information-advice" not in found


def test_a_lets_talk_site_that_says_it_gives_advice_still_gets_it(matcher, curated):
    found = inferred(
        matcher,
        curated,
        name="Let's Talk Chester",
        description="Signposting to local services and groups.",
    )
    assert "information-advice" in found


def test_a_shared_saying_counts_for_the_most_specific_term(matcher, curated):
    # "social club": social groups (under loneliness) and day activities (a top need).
    found = proposed(matcher, curated, name="Widows and Widowers Social Club", description="")
    assert "social-groups" in found
    assert "day-activities" not in found


def test_a_shared_saying_of_equally_specific_terms_counts_for_both(matcher, curated):
    found = proposed(matcher, curated, name="Community Choir", description="")
    assert {"creative-activities", "social-groups"} <= found


def test_an_add_on_clause_counts_less(matcher, curated):
    found = inferred(
        matcher,
        curated,
        name="Wellbeing MOT",
        description="Free blood pressure and weight checks with a health trainer, plus advice "
        "on healthy eating, moving more and stopping smoking.",
    )
    assert "stop-smoking" not in found


def test_including_is_not_an_add_on(matcher, curated):
    found = inferred(
        matcher,
        curated,
        name="Breathe Easy",
        description="Free support with health checks, including help stopping smoking.",
    )
    assert "stop-smoking" in found


def test_with_breaks_a_saying_that_does_not_hold_it(matcher, curated):
    found = proposed(
        matcher,
        curated,
        name="Activity Centre",
        description="Day activities for adults with a learning or physical disability.",
    )
    assert "learning-courses" not in found


def test_a_saying_that_holds_with_still_matches_across_it(matcher, curated):
    found = inferred(matcher, curated, name="Club", eligibility="For people with dementia.")
    assert "people-with-dementia" in found


def test_a_need_saying_does_not_hide_a_client_group_inside_it(matcher, curated):
    found = inferred(
        matcher,
        curated,
        name="Dementia Carers' Support Group",
        description="A monthly group for carers of people living with dementia.",
    )
    assert "carers" in found


def test_a_longer_saying_of_the_same_kind_still_wins(matcher, curated):
    assert "bereavement" not in proposed(matcher, curated, name="Hearing Loss Clinic")


def test_a_one_word_client_group_is_read_as_written(matcher, curated):
    # Stemming makes "travellers" and "travel" one stem.
    found = proposed(matcher, curated, name="Travel Training", description="Learn a bus route.")
    assert "ethnic-minority-communities" not in found


def test_a_client_group_written_out_is_found(matcher, curated):
    found = inferred(
        matcher, curated, name="Site Support", description="Advice for Gypsies and Travellers."
    )
    assert "ethnic-minority-communities" in found


def test_coordinated_groups_share_their_noun(matcher, curated):
    found = inferred(
        matcher,
        curated,
        name="Handy Help",
        description="Small jobs around the home such as fitting grab rails, for older and "
        "disabled residents.",
    )
    assert {"older-people", "disabled-people", "home-repairs"} <= found.keys()


def test_a_noun_before_and_is_not_shared(matcher, curated):
    found = proposed(
        matcher,
        curated,
        name="Job Coaches",
        eligibility="For people with a learning disability and autistic people.",
    )
    assert {"people-with-learning-disability", "autistic-people"} <= found
    assert "disabled-people" not in found


def test_ages_name_client_groups(matcher, curated):
    found = inferred(
        matcher,
        curated,
        name="Thursday Kickabout",
        description="A friendly game at walking pace for the over 50s.",
    )
    assert "older-people" in found


def test_ages_that_mark_no_group_give_none(matcher: VocabularyMatcher, curated: CuratedTerms):
    found = proposed(
        matcher,
        curated,
        name="Adult Swim",
        description="Runs 10 to 12 every Monday; over 100 volunteers help.",
        eligibility="Aged 18 and over. Aged 5 to 17 with an adult.",
    )
    assert not found & {"older-people", "young-people", "families-and-children"}


def test_a_group_and_its_own_people_are_not_merged():
    said = "Singing for people with dementia and their carers."
    assert clauses.expand_ellipsis(said) == said
    assert clauses.expand_ellipsis("Jobs for older and disabled residents.") == (
        "Jobs for older residents and disabled residents."
    )
