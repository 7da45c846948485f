"""Views for classes, teams, organisations and exports: parse, authorise on the object, call, render.

Authorisation lives in lessons.organisations.selectors: every object is fetched through a queryset limited to
what the user may reach, so another organisation's group, learner, invitation or export is a 404.
Everything that builds an export (a CSV download or a background job) is a POST behind a CSRF-protected
button: a link or an image on another site cannot make a signed-in admin produce one.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from cms.languages import current_language, set_language_cookie
from cms.login_throttling import client_ip
from cms.ratelimit import Rate, RateLimit, RateLimited
from cms.signup import request_signup_with_form
from lessons.models import Invitation
from lessons.organisations import exports, services
from lessons.organisations.exceptions import InvitationNotSent, InvitationRefused, JoinCodeRefused
from lessons.organisations.forms import (
    AssignmentForm,
    ClassCodeSignupForm,
    GroupCreateForm,
    InvitationForm,
    InvitationSignupForm,
    JoinByCodeForm,
)
from lessons.organisations.personal_data import anonymised_training_records
from lessons.organisations.reports import (
    count_training_record_rows,
    group_matrices,
    organisation_completion,
    training_record_rows,
)
from lessons.organisations.selectors import (
    administered_organisations,
    assigned_courses,
    get_administered_organisation_or_404,
    get_export_job_or_404,
    get_group_learner_or_404,
    get_managed_group_or_404,
    group_learners,
    learner_groups,
    managed_groups,
    open_invitations,
    organisations_for_new_groups,
)
from lessons.organisations.wording import wording_for, wording_for_user
from lessons.templatetags.lesson_dates import local_date

WRONG_JOIN_CODES = RateLimit("wrong-join-codes", Rate(count=10, seconds=15 * 60))


@login_required
def home(request):
    user = request.user
    context = {
        "managed_groups": managed_groups(user),
        "administered_organisations": administered_organisations(user),
        "learner_groups": learner_groups(user),
        "can_create_groups": organisations_for_new_groups(user).exists(),
        "words": wording_for_user(user),
    }
    return render(request, "lessons/org/home.html", context)


def join(request):
    """Join a class or team with its code. Without an account, a valid code leads to a sign-up for it."""
    form = JoinByCodeForm(request.POST or None, initial={"code": request.GET.get("code", "")})
    if request.method != "POST":
        return render(request, "lessons/org/join.html", {"form": form})
    refusal = _wrong_codes_refusal(request)
    if refusal:
        return refusal
    if form.is_valid():
        try:
            if not request.user.is_authenticated:
                group = services.group_for_code(form.cleaned_data["code"])
                signup_form = ClassCodeSignupForm(initial={"code": form.cleaned_data["code"]})
                return render(request, "lessons/org/join_signup.html", {"form": signup_form, "group": group})
            membership, created = services.join_by_code(user=request.user, code=form.cleaned_data["code"])
        except JoinCodeRefused as refused:
            form.add_error("code", str(refused))
        else:
            group = membership.group
            if created:
                messages.success(
                    request,
                    _("You joined %(group)s at %(organisation)s.")
                    % {"group": group.name, "organisation": group.organisation.name},
                )
            else:
                messages.info(request, _("You are already in %(group)s.") % {"group": group.name})
            return redirect("lessons:org:home")
    WRONG_JOIN_CODES.hit(_code_guesser(request))
    return render(request, "lessons/org/join.html", {"form": form}, status=400)


@sensitive_post_parameters("password1", "password2")
@require_POST
def join_signup(request):
    """Create an account for a class code (via the e-mailed confirmation link); it lands back on the join page."""
    if request.user.is_authenticated:
        return redirect("lessons:org:join")
    form = ClassCodeSignupForm(request.POST)
    refusal = _wrong_codes_refusal(request)
    if refusal:
        return refusal
    try:
        group = services.group_for_code(request.POST.get("code", ""))
    except JoinCodeRefused as refused:
        WRONG_JOIN_CODES.hit(_code_guesser(request))
        join_form = JoinByCodeForm({"code": request.POST.get("code", "")})
        join_form.add_error("code", str(refused))
        return render(request, "lessons/org/join.html", {"form": join_form}, status=400)
    join_url = f"{reverse('lessons:org:join')}?{urlencode({'code': form.data.get('code', '')})}"
    if form.is_valid() and request_signup_with_form(form, next_url=join_url, absolute_url=request.build_absolute_uri):
        return redirect("signup_sent")
    return render(request, "lessons/org/join_signup.html", {"form": form, "group": group}, status=400)


def _code_guesser(request):
    """Who the wrong-code limit counts: the account, or before log-in the address."""
    return request.user.pk if request.user.is_authenticated else f"ip:{client_ip(request)}"


def _wrong_codes_refusal(request):
    try:
        WRONG_JOIN_CODES.check(_code_guesser(request))
    except RateLimited:
        message = _(
            "Too many wrong codes. Wait a quarter of an hour, then try again with the code your teacher gave you."
        )
        return render(request, "lessons/org/join.html", {"form": None, "rate_limited": message}, status=429)
    return None


@login_required
def group_create(request):
    form = GroupCreateForm(request.POST or None, user=request.user)
    if not form.fields["organisation"].queryset.exists():
        context = {"form": None, "words": wording_for_user(request.user)}
        return render(request, "lessons/org/group_create.html", context, status=403)
    if request.method == "POST" and form.is_valid():
        group = services.create_group(created_by=request.user, **form.cleaned_data)
        messages.success(
            request,
            _("%(group)s is ready. Share its join code: %(code)s.") % {"group": group.name, "code": group.join_code},
        )
        return redirect("lessons:org:group", pk=group.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "lessons/org/group_create.html", {"form": form, "words": form.words}, status=status)


def administers(user, organisation):
    """Organisation admins invite staff (not only learners) and reach the organisation page."""
    return administered_organisations(user).filter(pk=organisation.pk).exists()


def new_invitation_form(request, group, data=None):
    return InvitationForm(
        data, may_invite_staff=administers(request.user, group.organisation), words=wording_for(group.organisation)
    )


def matrix_columns(request, matrices):
    """Each matrix with the lesson columns asked for by ``?lessons-<assignment id>=<first lesson>`` (default 1)."""
    pages = []
    for matrix in matrices:
        first = request.GET.get(f"lessons-{matrix.assignment.pk}", "1")
        pages.append((matrix, matrix.columns(int(first) if first.isdigit() else 1)))
    return pages


def render_group(request, group, invite_form=None, assignment_form=None, status=200):
    words = wording_for(group.organisation)
    context = {
        "group": group,
        "words": words,
        "administers": administers(request.user, group.organisation),
        "join_url": request.build_absolute_uri(reverse("lessons:org:join")),
        "learners": group_learners(group),
        "course_count": len(assigned_courses([group])),
        "matrices": matrix_columns(request, group_matrices(group)),
        "invitation_form": invite_form or new_invitation_form(request, group),
        "assignment_form": assignment_form or AssignmentForm(),
        "pending_invitations": [(sent, words.role_name(sent.role)) for sent in open_invitations(group)],
    }
    return render(request, "lessons/org/group.html", context, status=status)


@login_required
def group_detail(request, pk):
    return render_group(request, get_managed_group_or_404(request.user, pk))


@login_required
@require_POST
def group_rotate_code(request, pk):
    group = get_managed_group_or_404(request.user, pk)
    code = services.rotate_join_code(group)
    messages.success(request, _("New join code: %(code)s. The old code no longer works.") % {"code": code})
    return redirect("lessons:org:group", pk=group.pk)


@login_required
@require_POST
def group_toggle_code(request, pk):
    group = get_managed_group_or_404(request.user, pk)
    enable = request.POST.get("enabled") == "on"
    services.set_join_code_enabled(group, enable)
    messages.success(request, _("Joining by code is on.") if enable else _("Joining by code is off."))
    return redirect("lessons:org:group", pk=group.pk)


@login_required
@require_POST
def group_invite(request, pk):
    group = get_managed_group_or_404(request.user, pk)
    form = new_invitation_form(request, group, request.POST)
    if not form.is_valid():
        return render_group(request, group, invite_form=form, status=400)
    try:
        invitation = services.invite(
            group=group, invited_by=request.user, site_url=request.build_absolute_uri("/"), **form.cleaned_data
        )
    except InvitationNotSent as error:
        form.add_error(None, error.message)
        return render_group(request, group, invite_form=form, status=503)
    messages.success(request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
    return redirect("lessons:org:group", pk=group.pk)


@login_required
@require_POST
def group_revoke_invitation(request, pk, invitation_pk):
    """Whoever manages the group may withdraw its invitations; anyone else gets a 404 for both."""
    group = get_managed_group_or_404(request.user, pk)
    invitation = get_object_or_404(group.invitations, pk=invitation_pk)
    if services.revoke_invitation(invitation=invitation, revoked_by=request.user):
        messages.success(
            request,
            _("The invitation to %(email)s is withdrawn; its link no longer works.") % {"email": invitation.email},
        )
    else:
        messages.info(
            request, _("The invitation to %(email)s was already used or withdrawn.") % {"email": invitation.email}
        )
    return redirect("lessons:org:group", pk=group.pk)


@login_required
@require_POST
def group_assign(request, pk):
    group = get_managed_group_or_404(request.user, pk)
    form = AssignmentForm(request.POST)
    if not form.is_valid():
        return render_group(request, group, assignment_form=form, status=400)
    assignment = services.assign_course(group=group, assigned_by=request.user, **form.cleaned_data)
    names = {"course": assignment.course.title, "group": group.name}
    if assignment.due_date:
        message = _("Assigned %(course)s to %(group)s, due %(date)s.") % {
            **names,
            "date": local_date(assignment.due_date, "padded_date"),
        }
    else:
        message = _("Assigned %(course)s to %(group)s.") % names
    messages.success(request, message)
    return redirect("lessons:org:group", pk=group.pk)


@login_required
def learner_detail(request, pk, user_id):
    group = get_managed_group_or_404(request.user, pk)
    learner = get_group_learner_or_404(group, user_id)
    context = {
        "group": group,
        "words": wording_for(group.organisation),
        "administers": administers(request.user, group.organisation),
        "learner": learner,
        "matrices": matrix_columns(request, group_matrices(group, learners=[learner])),
    }
    return render(request, "lessons/org/learner.html", context)


def csv_response(content, filename):
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_POST
def group_progress_csv(request, pk):
    group = get_managed_group_or_404(request.user, pk)
    return csv_response(exports.group_progress_csv(group), f"progress-group-{group.pk}-{timezone.localdate()}.csv")


@sensitive_post_parameters("password1", "password2")
def invitation(request, token):
    """The link and the invited e-mail address together are the authority: see ``services.check_invitation``.

    The page says up front why an invitation cannot be accepted (used, withdrawn, expired, another
    account's address), so nobody signs up for nothing. Someone without an account signs up right
    here, with the invited address and no confirmation mail: the link has proved the address.
    """
    invitation = get_object_or_404(Invitation.objects.select_related("group__organisation"), token=token)
    user = request.user if request.user.is_authenticated else None
    words = wording_for(invitation.group.organisation)
    context = {
        "invitation": invitation,
        "words": words,
        "role_name": words.role_name(invitation.role),
        "invited_email": services.mask_email(invitation.email),
    }
    signup_form = None
    try:
        if request.method == "POST" and user:
            return joined(request, services.accept_invitation(invitation=invitation, user=user))
        services.check_invitation(invitation, user)
        if request.method == "POST":
            signup_form = InvitationSignupForm(request.POST, invitation=invitation)
            if signup_form.is_valid():
                language = current_language()
                membership = services.accept_invitation_with_new_account(
                    invitation=invitation, signup_form=signup_form, language=language
                )
                login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
                return set_language_cookie(joined(request, membership), language)
    except InvitationRefused as refusal:
        context["error"] = refusal.message
        # Showing the page is fine (200); a refused acceptance is a client error.
        status = 200 if request.method != "POST" else 403 if refusal.code == "wrong_email" else 400
        return render(request, "lessons/org/invitation.html", context, status=status)
    if user is None:
        context["signup_form"] = signup_form or InvitationSignupForm(invitation=invitation)
    status = 400 if signup_form is not None else 200  # a sign-up that did not go through
    return render(request, "lessons/org/invitation.html", context, status=status)


def joined(request, membership):
    messages.success(
        request,
        _("You joined %(group)s at %(organisation)s.")
        % {"group": membership.group.name, "organisation": membership.organisation.name},
    )
    return redirect("lessons:org:home")


@login_required
def organisation_detail(request, slug):
    organisation = get_administered_organisation_or_404(request.user, slug)
    groups = organisation.groups.all()
    context = {
        "organisation": organisation,
        "words": wording_for(organisation),
        "groups": [(group, len(group_learners(group)), len(assigned_courses([group]))) for group in groups],
        "completion": organisation_completion(organisation),
        "export_jobs": organisation.export_jobs.all()[:5],
        "retention_days": settings.EXPORT_RETENTION_DAYS,
    }
    return render(request, "lessons/org/organisation.html", context)


@login_required
def training_record(request, slug):
    """The printable training record; a large one is too long for a page, so the admin is sent to the export."""
    organisation = get_administered_organisation_or_404(request.user, slug)
    if count_training_record_rows(organisation) > exports.DIRECT_EXPORT_ROW_LIMIT:
        messages.info(
            request,
            _("This training record is too long for one page. Prepare the export in the background to download it."),
        )
        return redirect("lessons:org:organisation", slug=organisation.slug)
    context = {
        "organisation": organisation,
        "words": wording_for(organisation),
        "rows": list(training_record_rows(organisation)),
        "anonymised_records": anonymised_training_records(organisation),
        "now": timezone.now(),
    }
    return render(request, "lessons/org/training_record.html", context)


@login_required
@require_POST
def training_record_csv(request, slug):
    organisation = get_administered_organisation_or_404(request.user, slug)
    if handover := background_if_large(request, organisation):
        return handover
    content = exports.write_training_record(organisation)
    return csv_response(content, f"training-record-{organisation.slug}-{timezone.localdate()}.csv")


def background_if_large(request, organisation):
    """Above the direct-download limit, start a background job and send the admin to its progress page."""
    if count_training_record_rows(organisation) <= exports.DIRECT_EXPORT_ROW_LIMIT:
        return None
    messages.info(request, _("This training record is large, so it is prepared in the background."))
    return start_export_and_redirect(request, organisation)


def start_export_and_redirect(request, organisation):
    job = exports.start_training_record_export(organisation=organisation, requested_by=request.user)
    return redirect("lessons:org:export", pk=job.pk)


@login_required
@require_POST
def export_start(request, slug):
    return start_export_and_redirect(request, get_administered_organisation_or_404(request.user, slug))


@login_required
def export_detail(request, pk):
    return render(request, "lessons/org/export.html", {"job": get_export_job_or_404(request.user, pk)})


@login_required
def export_progress(request, pk):
    """The htmx fragment polled every second; it stops polling once the job is finished."""
    return render(
        request, "lessons/org/includes/export_progress.html", {"job": get_export_job_or_404(request.user, pk)}
    )


@login_required
def export_download(request, pk):
    job = get_export_job_or_404(request.user, pk)
    if job.is_expired:
        message = _(
            "This export was kept until %(date)s and has been deleted, as training records hold personal data. "
            "Prepare a new one on the organisation page."
        ) % {"date": local_date(job.expires_at, "datetime")}
        return HttpResponse(message, status=410, content_type="text/plain; charset=utf-8")
    if job.status != job.Status.DONE:
        return HttpResponse(_("This export is not ready yet."), status=409, content_type="text/plain; charset=utf-8")
    filename = f"training-record-{job.organisation.slug}-{timezone.localdate(job.finished_at)}.csv"
    return csv_response(job.content, filename)
