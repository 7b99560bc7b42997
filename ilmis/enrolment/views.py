"""Thin views: forms in, services out. Every object is checked against the requester."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from ilmis.audit.services import history
from ilmis.catalog.models import Programme, Session
from ilmis.core.http import client_ip
from ilmis.legal import services as legal

from . import access, forms, pdf, services
from .models import (
    Agreement,
    AgreementTemplate,
    Enrolment,
    PreRegistration,
    ScanUpload,
    Signature,
)
from .services import TransitionError

PAGE_SIZE = 50
VERIFY_PER_HOUR = 30


def paginate(request, queryset):
    """A page of a large list: the keys are paged on an index alone (no joins), then only the
    page's rows are fetched with their relations, so a deep page costs what the first does."""
    keys = Paginator(queryset.values_list("pk", flat=True), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    ids = list(keys.object_list)
    rows = {row.pk: row for row in queryset.filter(pk__in=ids)}
    keys.object_list = [rows[pk] for pk in ids if pk in rows]
    return keys


def staff_required(view):
    @wraps(view)
    @login_required
    def wrapped(request, *args, **kwargs):
        if not request.user.is_back_office:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def _file(field, filename, content_type="application/pdf"):
    if not field:
        raise Http404
    response = FileResponse(field.open("rb"), content_type=content_type)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# -- public pre-registration (R2.1) ------------------------------------------------------------


@never_cache
def preregister(request, code):
    session = get_object_or_404(
        Session.objects.open_for_registration().select_related("programme"), code=code
    )
    form = forms.PublicPreRegistrationForm(request.POST or None, request=request)
    if request.method == "POST" and form.is_valid():
        try:
            prereg = services.create_preregistration(
                session=session,
                data=form.data_for_service(),
                trainees=form.trainees,
                channel="site",
                request=request,
            )
        except TransitionError as error:
            form.add_error(None, str(error))
        else:
            request.session["enrolment_prereg"] = prereg.reference
            return redirect("enrolment:preregister_done")
    if request.method == "POST" and hasattr(form, "refresh_challenge"):
        form.refresh_challenge()
    full = services.session_is_full(session)
    return render(
        request,
        "enrolment/preregister.html",
        {"form": form, "session": session, "programme": session.programme, "full": full},
        status=400 if form.errors else 200,
    )


def preregister_done(request):
    return render(
        request,
        "enrolment/preregister_done.html",
        {"reference": request.session.get("enrolment_prereg")},
    )


# -- signing (R2.3) ---------------------------------------------------------------------------


def private_link(view):
    """Pages reached with a secret token: not indexed; the token never leaks to other sites."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["Referrer-Policy"] = "same-origin"  # no-referrer would send "Origin: null" (CSRF)
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    return wrapped


def _link_or_problem(request, token):
    link = services.link_for_token(token)
    problem = services.link_problem(link)
    return link, problem


def _problem_page(request, problem, link=None):
    status = 404 if link is None else 410
    return render(
        request, "enrolment/sign_problem.html", {"problem": problem, "link": link}, status=status
    )


@never_cache
@private_link
def sign(request, token):
    link, problem = _link_or_problem(request, token)
    if problem:
        return _problem_page(request, problem, link)
    prereg = link.agreement.preregistration
    terms_version = legal.current_version()
    form = forms.ConsentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.send_code(link, terms_version=terms_version, request=request)
        except TransitionError as error:
            form.add_error(None, str(error))
        else:
            return redirect("enrolment:sign_code", token=token)
    return render(
        request,
        "enrolment/sign.html",
        {
            "link": link,
            "prereg": prereg,
            "agreement": link.agreement,
            "form": form,
            "terms_version": terms_version,
            "token": token,
            "scan_form": forms.ScanForm(),
        },
    )


@never_cache
@private_link
def sign_code(request, token):
    link, problem = _link_or_problem(request, token)
    if problem:
        return _problem_page(request, problem, link)
    if not link.otp_sent_at:
        return redirect("enrolment:sign", token=token)
    form = forms.CodeForm(request.POST or None)
    if request.method == "POST" and "resend" in request.POST:
        form = forms.CodeForm()
        try:
            services.send_code(link, terms_version=legal.current_version(), request=request)
            messages.success(request, _("Un nouveau code vous a été envoyé."))
        except TransitionError as error:
            messages.error(request, str(error))
    elif request.method == "POST" and form.is_valid():
        try:
            services.sign_online(
                link,
                form.cleaned_data["code"],
                terms_version=legal.current_version(),
                request=request,
            )
        except TransitionError as error:
            form.add_error("code", str(error))
        else:
            return redirect("enrolment:sign_done", token=token)
    return render(
        request,
        "enrolment/sign_code.html",
        {"link": link, "form": form, "prereg": link.agreement.preregistration},
        status=400 if form.errors else 200,
    )


@private_link
def sign_done(request, token):
    link = services.link_for_token(token)
    if link is None or not link.used_at:
        raise Http404
    prereg = link.agreement.preregistration
    return render(request, "enrolment/sign_done.html", {"prereg": prereg, "token": token})


@private_link
def sign_pdf(request, token):
    """The document to read before signing, or once signed, the sealed copy."""
    link = services.link_for_token(token)
    if link is None or link.revoked_at:
        raise Http404
    signature = Signature.objects.filter(agreement=link.agreement).first()
    if signature and signature.signed_pdf and link.used_at:
        return _file(signature.signed_pdf, f"signe-{link.agreement.filename}")
    return _file(link.agreement.pdf, link.agreement.filename)


@never_cache
@require_POST
@private_link
def sign_upload(request, token):
    link, problem = _link_or_problem(request, token)
    if problem:
        return _problem_page(request, problem, link)
    form = forms.ScanForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.upload_scan(
                link.agreement.preregistration,
                form.cleaned_data["file"],
                link=link,
                request=request,
            )
        except TransitionError as error:
            form.add_error("file", str(error))
        else:
            return render(
                request, "enrolment/sign_uploaded.html", {"prereg": link.agreement.preregistration}
            )
    return render(
        request,
        "enrolment/sign.html",
        {
            "link": link,
            "prereg": link.agreement.preregistration,
            "agreement": link.agreement,
            "form": forms.ConsentForm(),
            "terms_version": legal.current_version(),
            "token": token,
            "scan_form": form,
        },
        status=400,
    )


@never_cache
def verify(request):
    """Public: does this file match a document we issued or a signature we recorded?"""
    form = forms.VerifyForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        key = f"enrolment:verify:{client_ip(request)}"
        cache.add(key, 0, 3600)
        if cache.incr(key) > VERIFY_PER_HOUR:
            form.add_error(
                None, _("Trop de vérifications depuis cette adresse : réessayez dans une heure.")
            )
        else:
            result = services.verify(form.cleaned_data["file"].read())
    return render(request, "enrolment/verify.html", {"form": form, "result": result})


# -- learner / client manager -----------------------------------------------------------------


@login_required
def mine(request):
    """R2, item 9: a learner sees their own files, a manager their company's."""
    now = timezone.now()
    preregs = (
        services.visible_preregistrations(request.user)
        .select_related("session__programme", "signature")
        .prefetch_related("agreements")
        .order_by("-created_at")[:100]
    )
    enrolments = (
        Enrolment.objects.visible_to(request.user)
        .select_related("learner", "session__programme")
        .order_by("-access_end")[:200]
    )
    return render(
        request, "enrolment/mine.html", {"preregs": preregs, "enrolments": enrolments, "now": now}
    )


def _visible_prereg(request, pk):
    return get_object_or_404(services.visible_preregistrations(request.user), pk=pk)


@login_required
def agreement_pdf(request, pk):
    agreement = get_object_or_404(Agreement.objects.select_related("preregistration"), pk=pk)
    _visible_prereg(request, agreement.preregistration_id)
    return _file(agreement.pdf, agreement.filename)


@login_required
def signed_pdf(request, pk):
    prereg = _visible_prereg(request, pk)
    signature = getattr(prereg, "signature", None)
    if signature is None:
        raise Http404
    if signature.signed_pdf:
        return _file(signature.signed_pdf, f"signe-{signature.agreement.filename}")
    if signature.scan_id:
        scan = signature.scan
        return _file(scan.file, scan.file.name.rsplit("/", 1)[-1], scan.content_type)
    raise Http404


@login_required
@never_cache
def withdraw(request, pk):
    """R2.5: an individual withdraws within 10 days of signing (or staff on their behalf)."""
    prereg = _visible_prereg(request, pk)
    user = request.user
    is_signatory = prereg.email.lower() == user.email.lower()
    if not (is_signatory or user.is_back_office):
        raise PermissionDenied
    form = forms.WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.withdraw(prereg, by=user, reason=form.cleaned_data["reason"], request=request)
        except TransitionError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Votre rétractation est enregistrée."))
            if user.is_back_office:
                return redirect("enrolment:staff_request", pk=prereg.pk)
            return redirect("enrolment:mine")
    return render(
        request,
        "enrolment/withdraw.html",
        {
            "prereg": prereg,
            "form": form,
            "schedule": pdf.payment_schedule(prereg, signed_at=prereg.signed_at),
            "deadline": prereg.withdrawal_deadline(),
            "allowed": prereg.can_withdraw(),
        },
    )


@login_required
def learn(request, slug):
    """R5.4: the programme as the learner reaches it — or a clear message, and no content."""
    programme = get_object_or_404(Programme, slug=slug)
    reason = access.denial_reason(request.user, programme)
    if reason:
        return render(
            request, "enrolment/denied.html", {"programme": programme, "reason": reason}, status=403
        )
    return render(
        request,
        "enrolment/learn.html",
        {
            "programme": programme,
            "enrolment": access.current_enrolment(request.user, programme),
        },
    )


# -- staff ------------------------------------------------------------------------------------

STATE_FILTERS = {
    "new": Q(status="new"),
    "sent": Q(status="sent"),  # refined with the deadline below
    "lapsed": Q(status="sent"),
    "scan_submitted": Q(status="scan_submitted"),
    "confirmed": Q(status="confirmed"),
    "declined": Q(status="declined"),
    "withdrawn": Q(status="withdrawn"),
    "cancelled": Q(status="cancelled"),
}


@staff_required
def staff_requests(request):
    now = timezone.now()
    queryset = PreRegistration.objects.with_state(now).select_related("session__programme")
    state = request.GET.get("etat", "")
    if state in STATE_FILTERS:
        queryset = queryset.filter(STATE_FILTERS[state])
        if state == "sent":
            queryset = queryset.filter(sign_deadline__gte=now)
        elif state == "lapsed":
            queryset = queryset.filter(sign_deadline__lt=now)
    search = request.GET.get("q", "").strip()[:100]
    if search:
        queryset = queryset.filter(
            Q(email__icontains=search)
            | Q(last_name__icontains=search)
            | Q(company_name__icontains=search)
        )
    page = paginate(request, queryset.order_by("-created_at", "-id"))
    return render(
        request,
        "enrolment/staff/requests.html",
        {
            "page": page,
            "state": state,
            "search": search,
            "now": now,
            "states": PreRegistration.STATE_LABELS,
            "counts": services.staff_counts(now),
        },
    )


@staff_required
@never_cache
def staff_request_new(request):
    form = forms.StaffPreRegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            prereg = services.create_preregistration(
                session=form.cleaned_data["session"],
                data=form.data_for_service(),
                trainees=form.trainees,
                channel=form.cleaned_data["channel"],
                recorded_by=request.user,
                request=request,
            )
        except TransitionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("Demande %(ref)s enregistrée ; l'accusé de réception est envoyé.")
                % {"ref": prereg.reference},
            )
            return redirect("enrolment:staff_request", pk=prereg.pk)
    return render(
        request,
        "enrolment/staff/request_new.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@staff_required
@never_cache
def staff_request(request, pk):
    prereg = get_object_or_404(
        PreRegistration.objects.select_related("session__programme", "recorded_by", "client"),
        pk=pk,
    )
    now = timezone.now()
    enrolments = prereg.enrolments.select_related("learner", "invitation")
    return render(
        request,
        "enrolment/staff/request.html",
        {
            "prereg": prereg,
            "now": now,
            "state": prereg.state(now),
            "trainees": prereg.trainees.select_related("user"),
            "agreements": prereg.agreements.order_by("-version"),
            "scans": ScanUpload.objects.filter(agreement__preregistration=prereg),
            "signature": Signature.objects.filter(preregistration=prereg).first(),
            "enrolments": enrolments,
            "events": history(prereg),
            "reason_form": forms.ReasonForm(),
            "scan_form": forms.ScanForm(),
        },
    )


ACTIONS = {
    "accept": (lambda p, r, f: services.accept(p, by=r.user, request=r), _("Convention envoyée.")),
    "reissue": (
        lambda p, r, f: services.reissue(p, by=r.user, request=r),
        _("Nouvelle version envoyée avec un nouveau lien."),
    ),
    "decline": (
        lambda p, r, f: services.decline(p, by=r.user, reason=f, request=r),
        _("Demande refusée."),
    ),
    "cancel": (
        lambda p, r, f: services.cancel(p, by=r.user, reason=f, request=r),
        _("Demande annulée."),
    ),
}


@staff_required
@require_POST
def staff_action(request, pk, action):
    prereg = get_object_or_404(PreRegistration, pk=pk)
    if action == "upload_scan":
        form = forms.ScanForm(request.POST, request.FILES)
        if not form.is_valid():
            messages.error(request, " ".join(form.errors.get("file", [])))
            return redirect("enrolment:staff_request", pk=pk)
        try:
            services.upload_scan(
                prereg, form.cleaned_data["file"], by=request.user, request=request
            )
            messages.success(request, _("Copie signée enregistrée : à vérifier."))
        except TransitionError as error:
            messages.error(request, str(error))
        return redirect("enrolment:staff_request", pk=pk)
    if action not in ACTIONS:
        raise Http404
    handler, done = ACTIONS[action]
    try:
        handler(prereg, request, request.POST.get("reason", ""))
    except TransitionError as error:
        messages.error(request, str(error))
    except pdf.TemplateError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done)
    return redirect("enrolment:staff_request", pk=pk)


@staff_required
@require_POST
def staff_scan_review(request, pk):
    scan = get_object_or_404(ScanUpload.objects.select_related("agreement"), pk=pk)
    accept_it = request.POST.get("decision") == "accept"
    try:
        services.review_scan(
            scan,
            accept=accept_it,
            by=request.user,
            reason=request.POST.get("reason", ""),
            request=request,
        )
    except TransitionError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Copie acceptée : inscription confirmée.")
            if accept_it
            else _("Copie refusée ; le signataire est prévenu."),
        )
    return redirect("enrolment:staff_request", pk=scan.agreement.preregistration_id)


@staff_required
def staff_scan_file(request, pk):
    scan = get_object_or_404(ScanUpload, pk=pk)
    return _file(scan.file, scan.file.name.rsplit("/", 1)[-1], scan.content_type)


@staff_required
def staff_enrolments(request):
    queryset = Enrolment.objects.select_related("learner", "session__programme")
    session = request.GET.get("session", "")
    if session:
        queryset = queryset.filter(session__code=session)
    search = request.GET.get("q", "").strip()[:100]
    if search:
        queryset = queryset.filter(
            Q(learner__email__icontains=search) | Q(learner__last_name__icontains=search)
        )
    page = paginate(request, queryset.order_by("-confirmed_at", "-id"))
    return render(
        request,
        "enrolment/staff/enrolments.html",
        {"page": page, "search": search, "session": session, "now": timezone.now()},
    )


@staff_required
@never_cache
def staff_enrolment(request, pk):
    enrolment = get_object_or_404(
        Enrolment.objects.select_related("learner", "session__programme", "invitation"), pk=pk
    )
    initial = {
        "access_start": timezone.localtime(enrolment.access_start),
        "access_end": timezone.localtime(enrolment.access_end),
    }
    form = forms.AccessWindowForm(request.POST or None, initial=initial)
    if request.method == "POST" and "resend" in request.POST:
        try:
            services.resend_activation(enrolment, by=request.user, request=request)
            messages.success(request, _("Lien d'activation renvoyé."))
        except TransitionError as error:
            messages.error(request, str(error))
        return redirect("enrolment:staff_enrolment", pk=pk)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_access_window(
                enrolment,
                start=form.cleaned_data["access_start"],
                end=form.cleaned_data["access_end"],
                by=request.user,
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except TransitionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Fenêtre d'accès modifiée."))
            return redirect("enrolment:staff_enrolment", pk=pk)
    return render(
        request,
        "enrolment/staff/enrolment.html",
        {
            "enrolment": enrolment,
            "form": form,
            "events": history(enrolment),
            "now": timezone.now(),
        },
        status=400 if form.errors else 200,
    )


@staff_required
def staff_credentials(request):
    """R4.2: the 96-hour board."""
    now = timezone.now()
    board = services.credentials_board(now)
    page = paginate(request, board)
    summary = dict(board.order_by().values_list("delivery").annotate(n=Count("pk")))
    return render(
        request, "enrolment/staff/credentials.html", {"page": page, "now": now, "summary": summary}
    )


@staff_required
@never_cache
def staff_template(request, kind):
    if kind not in forms.TEMPLATE_KINDS:
        raise Http404
    current = services.current_template(kind)
    form = forms.TemplateForm(request.POST or None, initial={"body": current.body})
    if request.method == "POST" and form.is_valid():
        try:
            template = services.save_template(
                kind,
                form.cleaned_data["body"],
                by=request.user,
                note=form.cleaned_data["note"],
                request=request,
            )
        except pdf.TemplateError as error:
            form.add_error("body", str(error))
        else:
            messages.success(
                request,
                _("Version %(n)s enregistrée : elle s'appliquera aux prochaines conventions.")
                % {"n": template.version},
            )
            return redirect("enrolment:staff_template", kind=kind)
    versions = AgreementTemplate.objects.filter(kind=kind).select_related("created_by")[:20]
    return render(
        request,
        "enrolment/staff/template.html",
        {
            "form": form,
            "kind": kind,
            "kind_label": forms.TEMPLATE_KINDS[kind],
            "current": current,
            "versions": versions,
        },
        status=400 if form.errors else 200,
    )


@staff_required
def staff_template_preview(request, kind):
    if kind not in forms.TEMPLATE_KINDS:
        raise Http404
    from .demo import sample_preregistration

    sample = sample_preregistration()
    sample.kind = "company" if kind == "convention" else "person"
    data = pdf.render_agreement(services.current_template(kind).body, pdf.agreement_context(sample))
    response = FileResponse(iter([data]), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="apercu-{kind}.pdf"'
    return response


def staff_home_url():
    return reverse("enrolment:staff_requests")
