"""Learner forms: the reflection note (quiz answers are parsed in lessons.learning.quizzes)."""

from django import forms

from lessons.models import ReflectionNote

NOTE_MAX_LENGTH = ReflectionNote._meta.get_field("text").max_length


class ReflectionNoteForm(forms.Form):
    text = forms.CharField(
        label="Your note",
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Only you can see your notes. They are listed on your dashboard.",
    )
