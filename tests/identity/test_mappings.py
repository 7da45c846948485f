"""Claims to memberships: the rules of one mapping, and how they are held at every sign-in."""

import pytest
from django.urls import reverse

from identity.mappings.rules import role_from_claims
from identity.mappings.services import apply_claim_mappings
from identity.models import ClaimGrant, ClaimMapping
from lessons.models import Membership, Organisation
from tests import factories as f

Role = Membership.Role


def mapping(**fields):
    """An unsaved mapping: school "123" by the claim school_id, roles in "role"."""
    defaults = {
        "provider_id": "school",
        "organisation_claim": "school_id",
        "organisation_value": "123",
        "role_claim": "role",
        "teacher_values": "teacher, staff",
        "learner_values": "",
        "trusts_teacher_role": True,
    }
    return ClaimMapping(**{**defaults, **fields})


@pytest.mark.parametrize(
    ("fields", "claims", "role"),
    [
        ({}, {"school_id": "123", "role": "teacher"}, Role.TEACHER),
        ({}, {"school_id": ["999", "123"], "role": ["Staff"]}, Role.TEACHER),  # lists; values ignore case
        ({}, {"school_id": 123, "role": "student"}, Role.LEARNER),  # numbers compare as text
        ({}, {"school_id": "123"}, Role.LEARNER),  # no role claim: not a teacher value
        ({}, {"school_id": "124", "role": "teacher"}, None),  # another school
        ({}, {"role": "teacher"}, None),
        ({}, {"school_id": {"id": "123"}, "role": "teacher"}, None),  # objects are no identifiers
        ({}, {"school_id": True, "role": "teacher"}, None),
        ({"trusts_teacher_role": False}, {"school_id": "123", "role": "teacher"}, Role.LEARNER),
        ({"learner_values": "student"}, {"school_id": "123", "role": "parent"}, None),
        ({"learner_values": "student"}, {"school_id": "123", "role": "student"}, Role.LEARNER),
        (
            {"learner_values": "student", "trusts_teacher_role": False},
            {"school_id": "123", "role": "teacher"},
            Role.LEARNER,
        ),
        ({"role_claim": ""}, {"school_id": "123", "role": "teacher"}, Role.LEARNER),
    ],
)
def test_what_one_mapping_makes_of_the_claims(fields, claims, role):
    assert role_from_claims(mapping(**fields), claims) == role


@pytest.fixture
def school(db):
    return Organisation.objects.create(name="Kesklinna Kool", slug="kesklinna", kind=Organisation.Kind.SCHOOL)


@pytest.fixture
def school_mapping(school):
    saved = mapping(organisation=school)
    saved.save()
    return saved


def org_role(user, organisation):
    membership = Membership.objects.filter(user=user, organisation=organisation, group__isnull=True).first()
    return membership.role if membership else None


def sign_in_with(user, **claims):
    apply_claim_mappings(user=user, provider_id="school", claims=claims)


TEACHER = {"school_id": "123", "role": "teacher"}
STUDENT = {"school_id": "123", "role": "student"}
ELSEWHERE = {"school_id": "999", "role": "teacher"}


def test_claims_make_a_member_and_follow_the_role_at_each_sign_in(school, school_mapping):
    user = f.UserFactory()
    sign_in_with(user, **TEACHER)
    assert org_role(user, school) == Role.TEACHER
    sign_in_with(user, **STUDENT)  # the school's directory says otherwise now
    assert org_role(user, school) == Role.LEARNER
    sign_in_with(user, **ELSEWHERE)  # moved to another school
    assert org_role(user, school) is None


def test_a_provider_the_school_does_not_trust_for_teachers_makes_learners(school, school_mapping):
    school_mapping.trusts_teacher_role = False
    school_mapping.save()
    user = f.UserFactory()
    sign_in_with(user, **TEACHER)
    assert org_role(user, school) == Role.LEARNER


def test_a_role_given_here_is_never_lowered(school, school_mapping):
    teacher = f.UserFactory()
    Membership.objects.create(user=teacher, organisation=school, role=Role.TEACHER)
    admin = f.UserFactory()
    Membership.objects.create(user=admin, organisation=school, role=Role.ADMIN)
    for claims in (STUDENT, ELSEWHERE, TEACHER):
        sign_in_with(teacher, **claims)
        sign_in_with(admin, **claims)
        assert org_role(teacher, school) == Role.TEACHER
        assert org_role(admin, school) == Role.ADMIN
    assert not ClaimGrant.objects.exists()


def test_claims_raise_a_learner_given_here_and_give_back_that_role_when_they_stop(school, school_mapping):
    learner = f.UserFactory()
    Membership.objects.create(user=learner, organisation=school, role=Role.LEARNER)
    sign_in_with(learner, **TEACHER)
    assert org_role(learner, school) == Role.TEACHER
    sign_in_with(learner, **ELSEWHERE)
    assert org_role(learner, school) == Role.LEARNER  # the membership given here stays
    assert not ClaimGrant.objects.exists()


def test_a_role_changed_here_since_the_claims_set_it_is_kept(school, school_mapping):
    user = f.UserFactory()
    sign_in_with(user, **STUDENT)
    Membership.objects.filter(user=user, organisation=school).update(role=Role.ADMIN)
    sign_in_with(user, **ELSEWHERE)
    assert org_role(user, school) == Role.ADMIN


def test_claims_touch_neither_classes_nor_what_another_provider_gave(school, school_mapping):
    user = f.UserFactory()
    group = f.GroupFactory(organisation=school)
    Membership.objects.create(user=user, organisation=school, group=group, role=Role.LEARNER)
    other = ClaimMapping.objects.create(
        organisation=school, provider_id="other", organisation_claim="org", organisation_value="123"
    )
    apply_claim_mappings(user=user, provider_id="other", claims={"org": "123"})
    assert ClaimGrant.objects.get().mapping == other
    sign_in_with(user, **ELSEWHERE)  # "school" does not take away what "other" gave
    assert org_role(user, school) == Role.LEARNER
    assert Membership.objects.filter(user=user, group=group).exists()


def test_a_sign_in_applies_the_mapping_of_the_provider_it_used(client, provider, sign_in, school, school_mapping):
    provider.set_claims(
        "mapped-sub", email="mapped@school.example", email_verified=True, school_id="123", role="teacher"
    )
    sign_in(client, "mapped-sub")
    user = Membership.objects.get(organisation=school).user
    assert user.socialaccount_set.get().uid == "mapped-sub"
    assert org_role(user, school) == Role.TEACHER
    # A teacher of the school may open classes in it at once.
    assert school in client.get(reverse("lessons:org:group-create")).context["form"].fields["organisation"].queryset
