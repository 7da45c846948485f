"""The few pages of a sign-in: on to the provider, or what went wrong."""

from django.shortcuts import render


def continue_to(request, url, heading):
    """A page that sends the browser on to ``url`` (the provider) by itself, with a link if it does not.

    It leaves the messages waiting ("Your account has been deleted") to the page after the provider.
    """
    return render(request, "identity/continue.html", {"url": url, "heading": heading, "messages": ()})


def sign_in_problem(request, message, *, status):
    """``message`` (what went wrong and what to do) instead of a sign-in; nobody is signed in by it."""
    return render(request, "identity/problem.html", {"message": message}, status=status)
