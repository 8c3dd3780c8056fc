"""Login and logout, the profile, invitations (accept, withdraw) and password resets."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from groupadmin.auth import services
from groupadmin.auth.forms import (
    AcceptInvitationForm,
    ChangePasswordForm,
    ForgotPasswordForm,
    LoginForm,
    ProfileForm,
    ResetPasswordForm,
)
from groupadmin.database import utcnow
from groupadmin.errors import LinkProblem
from groupadmin.extensions import db
from groupadmin.forms import ConfirmForm
from groupadmin.permissions import requires
from groupadmin.web import show_error

bp = Blueprint("auth", __name__)


def safe_next(target: str | None) -> str | None:
    """`target` if it is a path on this site, else None (no scheme, no host, no '//' or '/\\' tricks)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    if "\\" in target or any(ord(c) < 32 for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def start_session(user, remember: bool = False) -> None:
    session.clear()  # a fresh session (and CSRF token) at every login: no session fixation
    session.permanent = True  # expires after PERMANENT_SESSION_LIFETIME without a request
    login_user(user, remember=remember)


def _link_problem(problem: LinkProblem):
    """Links from mail answer 410 for every problem (expired, altered, used, withdrawn)."""
    return render_template("auth/link_problem.html", message=problem.message), 410


@bp.route("/login", methods=["GET", "POST"])
@requires("public")
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.dashboard"))
    form = LoginForm(next=request.args.get("next", ""))
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form), 200
    try:
        user = services.authenticate(
            form.email.data, form.password.data, address=request.remote_addr, now=utcnow()
        )
    except services.AuthError as error:
        db.session.commit()  # the failure count
        show_error(form, error)
        status = 429 if isinstance(error, services.Throttled) else 401
        return render_template("auth/login.html", form=form), status
    db.session.commit()
    start_session(user, remember=form.remember.data)
    return redirect(safe_next(form.next.data) or url_for("home.dashboard"))


@bp.route("/logout", methods=["POST"])
@requires("login")
def logout():
    services.end_other_sessions(current_user)
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("You are logged out. Every other session of yours has ended too."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/profile", methods=["GET", "POST"])
@requires("login")
def profile():
    user = current_user._get_current_object()
    profile_form = ProfileForm(obj=user, prefix="profile")
    profile_form.locale.choices = [("", _("As my browser says"))] + list(
        current_app.config["LANGUAGES"].items()
    )
    password_form = ChangePasswordForm(prefix="password")
    password_form.email_for_check = user.email
    if request.method == "GET":
        profile_form.locale.data = user.locale or ""
    elif "profile-display_name" in request.form and profile_form.validate_on_submit():
        return _save_profile(user, profile_form)
    elif "password-current" in request.form and password_form.validate_on_submit():
        done = _change_password(user, password_form)
        if done:
            return done
    return render_template("auth/profile.html", profile_form=profile_form, password_form=password_form)


def _save_profile(user, form):
    services.update_profile(
        user, display_name=form.display_name.data, locale=form.locale.data or None, now=utcnow()
    )
    db.session.commit()
    flash(_("Your profile is saved."), "success")
    return redirect(url_for("auth.profile"))


def _change_password(user, form):
    """The redirect after a changed password, or None (the error is beside the field)."""
    try:
        services.change_password(user, current=form.current.data, new=form.password.data, now=utcnow())
    except services.AuthError as error:
        show_error(form, error)
        return None
    db.session.commit()
    start_session(user)  # this session continues under the new nonce; all others end
    flash(_("Your password is changed. Your other sessions have ended."), "success")
    return redirect(url_for("auth.profile"))


@bp.route("/r/invite/<token>", methods=["GET", "POST"])
@requires("public")
def accept_invitation(token):
    now = utcnow()
    try:
        invitation = services.load_invitation(token, now=now)
    except LinkProblem as problem:
        return _link_problem(problem)
    existing = services.find_user_by_email(invitation.email)
    signed_in_as_invitee = (
        current_user.is_authenticated and current_user.email.lower() == invitation.email.lower()
    )
    if current_user.is_authenticated and not signed_in_as_invitee:
        return render_template("auth/invitation.html", invitation=invitation, form=None, wrong_account=True)
    if existing and not signed_in_as_invitee:
        return render_template("auth/invitation.html", invitation=invitation, form=None, needs_login=True)
    form = ConfirmForm() if existing else AcceptInvitationForm()
    form.email_for_check = invitation.email
    if form.validate_on_submit():
        done = _accept(invitation, form, existing, signed_in_as_invitee, now)
        if done:
            return done
    return render_template("auth/invitation.html", invitation=invitation, form=form)


def _accept(invitation, form, existing, signed_in_as_invitee: bool, now):
    """The redirect once the role is given, or None (the reason is flashed)."""
    try:
        user = services.accept_invitation(
            invitation,
            now=now,
            user=existing,
            display_name=getattr(form, "display_name", None) and form.display_name.data,
            password=getattr(form, "password", None) and form.password.data,
        )
    except services.AuthError as error:
        show_error(form, error)
        return None
    db.session.commit()
    if not signed_in_as_invitee:
        start_session(user)
    flash(_("Welcome! Your new role is active."), "success")
    return redirect(url_for("home.dashboard"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@requires("public")
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        try:
            # The same answer whether or not the address has an account.
            services.request_password_reset(form.email.data, address=request.remote_addr, now=utcnow())
        except services.Throttled:
            db.session.commit()
            form.email.errors.append(_("Too many attempts. Please wait a little and try again."))
            return render_template("auth/forgot_password.html", form=form, sent=False), 429
        db.session.commit()
        return render_template("auth/forgot_password.html", form=form, sent=True)
    return render_template("auth/forgot_password.html", form=form, sent=False)


@bp.route("/r/reset/<token>", methods=["GET", "POST"])
@requires("public")
def reset_password(token):
    try:
        user = services.load_password_reset(token)
    except LinkProblem as problem:
        return _link_problem(problem)
    form = ResetPasswordForm()
    form.email_for_check = user.email
    if form.validate_on_submit():
        try:
            services.reset_password(user, form.password.data, now=utcnow())
        except services.AuthError as error:
            show_error(form, error)
        else:
            db.session.commit()
            if current_user.is_authenticated:
                logout_user()
            flash(_("Your password is set. Log in with it now."), "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form)
