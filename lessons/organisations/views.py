"""Views for classes, teams, organisations and exports: parse, authorise on the object, call, render.

Authorisation lives in lessons.organisations.selectors: every object is fetched through a queryset limited to
what the user may reach, so another organisation's group, learner or export is a 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cms.ratelimit import Rate, RateLimit, RateLimited
from lessons.models import Invitation
from lessons.organisations import exports, services
from lessons.organisations.exceptions import InvitationNotSent, InvitationUsed, JoinCodeRefused
from lessons.organisations.forms import AssignmentForm, GroupCreateForm, InvitationForm, JoinByCodeForm
from lessons.organisations.reports import (
    count_training_record_rows,
    group_matrices,
    organisation_completion,
    training_record_rows,
)
from lessons.organisations.selectors import (
    administered_organisations,
    get_administered_organisation_or_404,
    get_export_job_or_404,
    get_group_learner_or_404,
    get_managed_group_or_404,
    group_learners,
    learner_groups,
    managed_groups,
    organisations_for_new_groups,
)
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
    }
    return render(request, "lessons/org/home.html", context)


@login_required
def join(request):
    form = JoinByCodeForm(request.POST or None)
    if request.method != "POST":
        return render(request, "lessons/org/join.html", {"form": form})
    try:
        WRONG_JOIN_CODES.check(request.user.pk)
    except RateLimited:
        message = _(
            "Too many wrong codes. Wait a quarter of an hour, then try again with the code your teacher gave you."
        )
        return render(request, "lessons/org/join.html", {"form": None, "rate_limited": message}, status=429)
    if form.is_valid():
        try:
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
    WRONG_JOIN_CODES.hit(request.user.pk)
    return render(request, "lessons/org/join.html", {"form": form}, status=400)


@login_required
def group_create(request):
    form = GroupCreateForm(request.POST or None, user=request.user)
    if not form.fields["organisation"].queryset.exists():
        return render(request, "lessons/org/group_create.html", {"form": None}, status=403)
    if request.method == "POST" and form.is_valid():
        group = services.create_group(created_by=request.user, **form.cleaned_data)
        messages.success(
            request,
            _("%(group)s is ready. Share its join code: %(code)s.") % {"group": group.name, "code": group.join_code},
        )
        return redirect("lessons:org:group", pk=group.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "lessons/org/group_create.html", {"form": form}, status=status)


def may_invite_staff(user, group):
    return administered_organisations(user).filter(pk=group.organisation_id).exists()


def render_group(request, group, invitation_form=None, assignment_form=None, status=200):
    context = {
        "group": group,
        "learners": group_learners(group),
        "matrices": group_matrices(group),
        "invitation_form": invitation_form or InvitationForm(may_invite_staff=may_invite_staff(request.user, group)),
        "assignment_form": assignment_form or AssignmentForm(),
        "pending_invitations": group.invitations.filter(accepted_at__isnull=True).order_by("-created_at"),
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
    form = InvitationForm(request.POST, may_invite_staff=may_invite_staff(request.user, group))
    if not form.is_valid():
        return render_group(request, group, invitation_form=form, status=400)
    try:
        invitation = services.invite(
            group=group, invited_by=request.user, site_url=request.build_absolute_uri("/"), **form.cleaned_data
        )
    except InvitationNotSent as error:
        form.add_error(None, error.message)
        return render_group(request, group, invitation_form=form, status=503)
    messages.success(request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
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
    context = {"group": group, "learner": learner, "matrices": group_matrices(group, learners=[learner])}
    return render(request, "lessons/org/learner.html", context)


def csv_response(content, filename):
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def group_progress_csv(request, pk):
    group = get_managed_group_or_404(request.user, pk)
    return csv_response(exports.group_progress_csv(group), f"progress-group-{group.pk}-{timezone.localdate()}.csv")


def invitation(request, token):
    """The token is the authority here: whoever holds the e-mailed link may accept it once, signed in."""
    invitation = get_object_or_404(Invitation.objects.select_related("group__organisation"), token=token)
    context = {"invitation": invitation}
    if request.method == "POST" and request.user.is_authenticated:
        try:
            membership = services.accept_invitation(invitation=invitation, user=request.user)
        except InvitationUsed as error:
            context["error"] = error.message
            return render(request, "lessons/org/invitation.html", context, status=400)
        messages.success(
            request,
            _("You joined %(group)s at %(organisation)s.")
            % {"group": membership.group.name, "organisation": membership.organisation.name},
        )
        return redirect("lessons:org:home")
    return render(request, "lessons/org/invitation.html", context)


@login_required
def organisation_detail(request, slug):
    organisation = get_administered_organisation_or_404(request.user, slug)
    groups = organisation.groups.all()
    context = {
        "organisation": organisation,
        "groups": [(group, len(group_learners(group)), group.assignments.count()) for group in groups],
        "completion": organisation_completion(organisation),
        "export_jobs": organisation.export_jobs.all()[:5],
    }
    return render(request, "lessons/org/organisation.html", context)


@login_required
def training_record(request, slug):
    """The printable training record; large organisations use the background CSV export instead."""
    organisation = get_administered_organisation_or_404(request.user, slug)
    if handover := background_if_large(request, organisation):
        return handover
    context = {"organisation": organisation, "rows": list(training_record_rows(organisation)), "now": timezone.now()}
    return render(request, "lessons/org/training_record.html", context)


@login_required
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
    if job.status != job.Status.DONE:
        return HttpResponse(_("This export is not ready yet."), status=409, content_type="text/plain; charset=utf-8")
    filename = f"training-record-{job.organisation.slug}-{timezone.localdate(job.finished_at)}.csv"
    return csv_response(job.content, filename)
