"""Imports every model so ``Base.metadata`` is complete (Alembic, tests, ``create_all``)."""

from directory.accounts.models import Membership, User
from directory.db import Base
from directory.feedback.models import ProblemReport
from directory.freshness.models import FreshnessReminder, FreshnessSweep
from directory.help_offers.models import HelpOffer
from directory.help_requests.models import ContactAttempt, HelpRequest, SelfServed
from directory.inference.models import InferredTerm
from directory.insights.models import SearchLog
from directory.listings.duplicates.models import DuplicateFlag
from directory.listings.models import (
    ChangeRecord,
    Contact,
    CostOption,
    Funding,
    Language,
    ListingChange,
    ListingStatus,
    Organization,
    OrganizationIdentifier,
    Phone,
    Schedule,
    Service,
    ServiceArea,
)
from directory.listings.runs import FeedListing, ImportRun
from directory.moderation.models import Claim, Proposal
from directory.mylist.models import SharedList
from directory.places.models import (
    Accessibility,
    Address,
    Location,
    LocationKind,
    PlaceName,
    PlaceNameRefresh,
    ServiceAtLocation,
)
from directory.privacy.models import PersonalDataAccess
from directory.staff.models import StaffAction
from directory.taxonomy.models import Attribute, Taxonomy, TaxonomyTerm

__all__ = [
    "Accessibility",
    "Address",
    "Attribute",
    "Base",
    "ChangeRecord",
    "Claim",
    "Contact",
    "ContactAttempt",
    "CostOption",
    "DuplicateFlag",
    "FeedListing",
    "FreshnessReminder",
    "FreshnessSweep",
    "Funding",
    "HelpOffer",
    "HelpRequest",
    "ImportRun",
    "InferredTerm",
    "Language",
    "ListingChange",
    "ListingStatus",
    "Location",
    "LocationKind",
    "Membership",
    "Organization",
    "OrganizationIdentifier",
    "PersonalDataAccess",
    "Phone",
    "PlaceName",
    "PlaceNameRefresh",
    "ProblemReport",
    "Proposal",
    "Schedule",
    "SearchLog",
    "SelfServed",
    "Service",
    "ServiceArea",
    "ServiceAtLocation",
    "SharedList",
    "StaffAction",
    "Taxonomy",
    "TaxonomyTerm",
    "User",
]
