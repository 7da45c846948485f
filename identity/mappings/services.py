"""Memberships from a provider's claims, applied at every sign-in with it (roles change; so do schools).

For each claim mapping of the provider signed in with, the claims give a role in its organisation,
or none (``rules.role_from_claims``). That role is held in the person's organisation-wide
membership there (no class or team: claims speak about organisations, and classes stay the
teachers' to run):

* no membership yet: one is made with that role, and a ``ClaimGrant`` records that claims made it;
* a membership given here (no grant): claims only ever raise it, say a learner whom a trusted
  provider calls a teacher; the role it had here is kept on the grant as its floor;
* a membership claims gave follows the claims, never below its floor; once the claims no longer make
  the person a member it goes back to the floor, or goes entirely if claims made it.

So nobody loses at sign-in a role that was given here. A membership whose role was changed here
since claims set it (an administrator made someone an organisation admin) counts as given here
from then on. A membership another provider's claims gave is left to that provider's sign-ins.
"""

import logging

from django.db import IntegrityError, transaction

from identity.models import ClaimGrant, ClaimMapping
from lessons.models import Membership

from .rules import higher, role_from_claims

logger = logging.getLogger(__name__)


@transaction.atomic
def apply_claim_mappings(*, user, provider_id, claims):
    """Bring ``user``'s memberships in line with what ``claims`` from ``provider_id`` say, for every mapping."""
    for mapping in ClaimMapping.objects.filter(provider_id=provider_id).select_related("organisation"):
        apply_mapping(user=user, mapping=mapping, role=role_from_claims(mapping, claims))


def apply_mapping(*, user, mapping, role):
    """Hold ``user``'s organisation-wide membership in ``mapping.organisation`` to ``role`` (None: not a member)."""
    membership = (
        Membership.objects.select_for_update()
        .filter(user=user, organisation=mapping.organisation, group__isnull=True)
        .first()
    )
    grant = ClaimGrant.objects.filter(membership=membership).first() if membership else None
    if grant and grant.granted_role != membership.role:
        grant.delete()  # changed here since the claims set it: a role given here now
        grant = None
    if grant and grant.mapping_id != mapping.pk:
        return
    floor = grant.local_role if grant else (membership.role if membership else "")
    target = higher(role, floor) if role else floor
    if membership is None:
        if target:
            _create_membership(user=user, mapping=mapping, role=target)
        return
    if not target:
        membership.delete()
        logger.info(
            "Claims of %s no longer make user %s a member of %s", mapping.provider_id, user.pk, mapping.organisation
        )
        return
    if membership.role != target:
        membership.role = target
        membership.save()
    if target == floor:
        if grant:
            grant.delete()
    else:
        ClaimGrant.objects.update_or_create(
            membership=membership, defaults={"mapping": mapping, "granted_role": target, "local_role": floor}
        )


def _create_membership(*, user, mapping, role):
    try:
        with transaction.atomic():
            membership = Membership.objects.create(user=user, organisation=mapping.organisation, role=role)
            ClaimGrant.objects.create(membership=membership, mapping=mapping, granted_role=role, local_role="")
    except IntegrityError:  # a parallel sign-in of the same person made it a moment ago
        return
    logger.info("Claims of %s made user %s a %s of %s", mapping.provider_id, user.pk, role, mapping.organisation)
