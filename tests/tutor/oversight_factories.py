"""Real rows for the oversight tests: people with names in roles, conversations, messages, flags.

Organisations and groups come from the organisation tests' factories (re-exported here).
"""

import factory
from django.contrib.auth import get_user_model

from lessons.models import Membership
from tests.lessons.org_factories import GroupFactory, OrganisationFactory  # noqa: F401 - re-exported
from tutor.models import Conversation, Message, SafetyFlag


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()

    username = factory.Sequence(lambda n: f"oversight-user-{n}")
    first_name = factory.Sequence(lambda n: f"Person{n}")
    last_name = "Tester"
    password = factory.django.Password("pw-for-tests")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    group = factory.SubFactory(GroupFactory)
    organisation = factory.LazyAttribute(lambda membership: membership.group.organisation)
    role = Membership.Role.LEARNER


def member(group, role=Membership.Role.LEARNER, user=None):
    """A user (new unless given) with ``role`` in ``group``."""
    return MembershipFactory(group=group, role=role, **({"user": user} if user else {})).user


def org_admin(organisation, user=None):
    """An organisation-wide admin (membership without a group)."""
    return MembershipFactory(
        organisation=organisation, group=None, role=Membership.Role.ADMIN, **({"user": user} if user else {})
    ).user


class ConversationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Conversation

    user = factory.SubFactory(UserFactory)
    lesson = None


class MessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Message

    conversation = factory.SubFactory(ConversationFactory)
    role = Message.Role.LEARNER
    text = "What is a large language model?"


def question(user, text="What is a large language model?", conversation=None, **fields):
    """A learner's question, in a new conversation unless one is given."""
    return MessageFactory(conversation=conversation or ConversationFactory(user=user), text=text, **fields)


def reply(to, prompt_tokens=None, completion_tokens=None, status=Message.Status.COMPLETE, **fields):
    """The tutor's reply to the question ``to``, in the same conversation."""
    return MessageFactory(
        conversation=to.conversation,
        role=Message.Role.TUTOR,
        status=status,
        prompt_tokens=prompt_tokens,
        completion_tokens=completion_tokens,
        **{"text": "An answer from the course." if status != Message.Status.FAILED else "", **fields},
    )


class SafetyFlagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SafetyFlag

    message = factory.SubFactory(MessageFactory)
    category = SafetyFlag.Category.SELF_HARM
    detail = "words about self-harm or suicide"
