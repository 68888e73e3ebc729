"""Provider account pages: sign up, verify the email, claim, edit, confirm; and the anonymous
"Report a problem" form of every listing.

A signed-in account sees and changes the listings of its approved claims only: any other
listing id is a 404, as if it did not exist.
"""

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from providers.accounts import claims as claim_service
from providers.accounts.editing import confirm_listing, edit_listing, listing_values
from providers.accounts.emails import send_verification_email
from providers.accounts.forms import (
    ClaimForm,
    EmailChangeForm,
    ListingEditForm,
    ListingReportForm,
    SignupForm,
    edit_form_initial,
)
from providers.accounts.links import read_confirm_token, read_verification
from providers.accounts.models import ProviderAccount
from providers.models import Provider

logger = logging.getLogger(__name__)
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
REPORT_WINDOW_SECONDS = 3600


def signup(request: HttpRequest) -> HttpResponse:
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        with transaction.atomic():
            user = get_user_model().objects.create_user(
                username=email, email=email, password=form.cleaned_data["password1"]
            )
            account = ProviderAccount.objects.create(user=user)
        send_verification_email(account, email)
        login(request, user, backend=MODEL_BACKEND)
        messages.info(request, f"We sent a link to {email}: open it to confirm your email.")
        return redirect("accounts:home")
    return render(
        request, "accounts/signup.html", {"form": form}, status=400 if form.errors else 200
    )


def verify_email(request: HttpRequest, token: str) -> HttpResponse:
    verified = read_verification(token)
    if verified is None:
        return render(request, "accounts/link_invalid.html", status=400)
    account, user = verified.account, verified.account.user
    with transaction.atomic():
        if verified.email != user.email:  # a change of address, proven now
            user.email = user.username = verified.email
            user.save(update_fields=["email", "username"])
        account.verified_email, account.pending_email = verified.email, ""
        account.save(update_fields=["verified_email", "pending_email"])
    messages.success(request, f"Thank you: {verified.email} is confirmed.")
    return redirect("accounts:home")


def current_account(request: HttpRequest) -> ProviderAccount:
    """The signed-in user's provider account; staff users without one get a 404 here."""
    return get_object_or_404(ProviderAccount.objects.select_related("user"), user=request.user)


def managed_provider(request: HttpRequest, provider_id: int) -> tuple[ProviderAccount, Provider]:
    """The account and one of its own listings; any other listing is a 404."""
    account = current_account(request)
    provider = claim_service.managed_providers(account).filter(pk=provider_id).first()
    if provider is None:
        raise Http404("No such listing among yours.")
    return account, provider


@login_required
def home(request: HttpRequest) -> HttpResponse:
    account = current_account(request)
    context = {
        "account": account,
        "claims": account.claims.select_related("provider"),
        "listings": claim_service.managed_providers(account).order_by("last_name", "first_name"),
    }
    return render(request, "accounts/home.html", context)


@login_required
@require_POST
def resend_verification(request: HttpRequest) -> HttpResponse:
    account = current_account(request)
    email = account.pending_email or account.user.email
    send_verification_email(account, email)
    messages.info(request, f"We sent a new link to {email}.")
    return redirect("accounts:home")


@login_required
def change_email(request: HttpRequest) -> HttpResponse:
    account = current_account(request)
    form = EmailChangeForm(request.POST or None, user=account.user)
    if request.method == "POST" and form.is_valid():
        account.pending_email = form.cleaned_data["email"]
        account.save(update_fields=["pending_email"])
        send_verification_email(account, account.pending_email)
        messages.info(
            request,
            f"We sent a link to {account.pending_email}. Your email changes when you open it.",
        )
        return redirect("accounts:home")
    status = 400 if form.errors else 200
    return render(request, "accounts/change_email.html", {"form": form}, status=status)


@login_required
def claim(request: HttpRequest) -> HttpResponse:
    account = current_account(request)
    if not account.email_verified:
        messages.warning(request, "Confirm your email first: open the link we sent you.")
        return redirect("accounts:home")
    form = ClaimForm(request.POST or None, initial={"npis": request.GET.get("npi", "")})
    if request.method == "POST" and form.is_valid():
        made = claim_service.submit_claims(
            account=account,
            providers=form.cleaned_data["npis"],
            practice_name=form.cleaned_data["practice_name"],
            phone=form.cleaned_data["phone"],
        )
        messages.success(
            request,
            f"{len(made)} claim(s) sent. A curator checks each against the national NPI "
            "registry; until then nothing you enter is public.",
        )
        return redirect("accounts:home")
    status = 400 if form.errors else 200
    return render(request, "accounts/claim.html", {"form": form}, status=status)


@login_required
def edit(request: HttpRequest, provider_id: int) -> HttpResponse:
    account, provider = managed_provider(request, provider_id)
    if not account.email_verified:
        messages.warning(request, "Confirm your email first: open the link we sent you.")
        return redirect("accounts:home")
    values = listing_values(provider)
    form = ListingEditForm(
        request.POST or None, provider=provider, initial=edit_form_initial(values)
    )
    if request.method == "POST" and form.is_valid():
        changes = edit_listing(provider=provider, account=account, values=form.listing_values())
        for warning in form.warnings:
            messages.warning(request, warning)
        messages.success(
            request,
            f"Saved {len(changes)} change(s); they are public now." if changes else "No changes.",
        )
        return redirect("accounts:home")
    context = {"form": form, "provider": provider}
    return render(request, "accounts/edit.html", context, status=400 if form.errors else 200)


def confirm(request: HttpRequest, provider_id: int) -> HttpResponse:
    """The "Everything here is correct" page: for the signed-in owner, or in one click from
    a reminder's link (its token stands for the account it was sent to)."""
    token = request.POST.get("token") or request.GET.get("token") or ""
    provider = get_object_or_404(Provider, pk=provider_id)
    account = None
    if request.user.is_authenticated:
        account, provider = managed_provider(request, provider_id)
    elif token:
        account_id = read_confirm_token(token, provider)
        account = ProviderAccount.objects.filter(pk=account_id).first() if account_id else None
        if account is None or not claim_service.managed_providers(account).filter(pk=provider.pk):
            return render(request, "accounts/link_invalid.html", status=400)
    else:
        return redirect_to_login(request.get_full_path())
    if request.method == "POST":
        confirm_listing(provider=provider, account=account)
        messages.success(request, "Thank you: your listing is confirmed as of today.")
        return redirect("finder:provider", provider_id=provider.pk)
    return render(request, "accounts/confirm.html", {"provider": provider, "token": token})


def client_address(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "")


def report(request: HttpRequest, provider_id: int) -> HttpResponse:
    provider = get_object_or_404(Provider.objects.public(), pk=provider_id)
    form = ListingReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if over_report_limit(client_address(request)):
            context = {"form": form, "provider": provider, "limited": True}
            response = render(request, "accounts/report.html", context, status=429)
            response["Retry-After"] = str(REPORT_WINDOW_SECONDS)
            return response
        form.instance.provider = provider
        form.save()
        messages.success(request, _("Thank you: our curators will check this listing."))
        return redirect("finder:provider", provider_id=provider.pk)
    status = 400 if form.errors else 200
    return render(
        request, "accounts/report.html", {"form": form, "provider": provider}, status=status
    )


def over_report_limit(address: str) -> bool:
    """Whether this address has sent LISTING_REPORTS_PER_HOUR reports in the last hour, counted
    in the shared cache (every worker sees one count with Redis)."""
    key = f"listing-reports:{address}"
    try:
        cache.add(key, 0, timeout=REPORT_WINDOW_SECONDS)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=REPORT_WINDOW_SECONDS)
            count = 1
    except Exception:  # the cache is down: take the report rather than lose it
        logger.warning("Cache unavailable; report rate limit not applied", exc_info=True)
        return False
    return count > settings.LISTING_REPORTS_PER_HOUR
