"""Whatever a moderator types as a reason, the answer is a decision or a clear error, never a
500; what is stored and emailed is printable text."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from directory.moderation.forms import REASON_MAX_LENGTH, printable
from directory.moderation.models import Proposal, ProposalState
from tests.moderation.conftest import new_listing, sign_in, submit
from tests.public.conftest import text_of

reasons = st.one_of(
    st.text(max_size=REASON_MAX_LENGTH + 50),
    st.text(alphabet=st.sampled_from(["\x00", "\r", "\n", " ", "<", ">", "&", "'", "\u202e", "é"])),
)


@given(reason=reasons, decision=st.sampled_from(["reject", "changes", "", "nonsense"]))
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_any_reason_gives_a_decision_or_an_error(
    client, session, moderator, org_id, reason, decision
):
    proposal = submit(session, new_listing(org_id), organization_id=org_id)
    sign_in(client, moderator)
    response = client.post(
        f"/staff/moderation/proposals/{proposal.id}", data={"decision": decision, "reason": reason}
    )
    assert response.status_code in (302, 400), response.status_code
    session.expire_all()
    found = session.get(Proposal, proposal.id)
    cleaned = printable(reason)
    if response.status_code == 302:
        assert decision in ("reject", "changes") and cleaned
        assert len(cleaned) <= REASON_MAX_LENGTH
        assert found.reason == cleaned and "\x00" not in found.reason
    else:
        assert found.state == ProposalState.SUBMITTED
        assert "There is a problem" in text_of(response.data)


@given(reason=reasons)
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_any_claim_or_standing_reason_is_handled(client, session, admin, reason):
    from tests.factories import make_organization

    org = make_organization(session, "Upton Repair Group")
    session.commit()
    sign_in(client, admin)
    response = client.post(
        f"/staff/organisations/{org.id}", data={"trusted": "y", "reason": reason}
    )
    assert response.status_code in (302, 400)
