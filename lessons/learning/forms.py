"""Learner forms: the reflection note (quiz answers are parsed in lessons.learning.quizzes)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from lessons.models import ReflectionNote

NOTE_MAX_LENGTH = ReflectionNote._meta.get_field("text").max_length


class ReflectionNoteForm(forms.Form):
    text = forms.CharField(
        label=_("Your note"),
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Only you can see your notes. They are listed on your dashboard."),
    )
