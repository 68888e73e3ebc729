from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from providers.accounts import views
from providers.accounts.forms import EmailLoginForm, ProviderPasswordResetForm

app_name = "accounts"


def reset_view(view, template: str, **options):
    return view.as_view(template_name=f"accounts/{template}.html", **options)


urlpatterns = [
    path("accounts/", views.home, name="home"),
    path("accounts/signup/", views.signup, name="signup"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            template_name="accounts/login.html", authentication_form=EmailLoginForm
        ),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/verify/<str:token>/", views.verify_email, name="verify-email"),
    path("accounts/verify-again/", views.resend_verification, name="resend-verification"),
    path("accounts/email/", views.change_email, name="change-email"),
    path("accounts/claim/", views.claim, name="claim"),
    path("accounts/listings/<int:provider_id>/", views.edit, name="edit"),
    path("accounts/listings/<int:provider_id>/confirm/", views.confirm, name="confirm"),
    path(
        "accounts/password-reset/",
        reset_view(
            auth_views.PasswordResetView,
            "password_reset",
            email_template_name="accounts/email/password_reset.txt",
            form_class=ProviderPasswordResetForm,
            success_url=reverse_lazy("accounts:password-reset-sent"),
        ),
        name="password-reset",
    ),
    path(
        "accounts/password-reset/sent/",
        reset_view(auth_views.PasswordResetDoneView, "password_reset_sent"),
        name="password-reset-sent",
    ),
    path(
        "accounts/password-reset/<uidb64>/<token>/",
        reset_view(
            auth_views.PasswordResetConfirmView,
            "password_reset_confirm",
            success_url=reverse_lazy("accounts:password-reset-done"),
        ),
        name="password-reset-confirm",
    ),
    path(
        "accounts/password-reset/done/",
        reset_view(auth_views.PasswordResetCompleteView, "password_reset_done"),
        name="password-reset-done",
    ),
    path("providers/<int:provider_id>/report/", views.report, name="report"),
]
