"""Forms of accounts: login, profile and password, invitations, password reset."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from groupadmin.auth.services import password_problem
from groupadmin.forms import AppForm, ConfirmForm, strip  # noqa: F401  (ConfirmForm: other domains import it here)


class LoginForm(AppForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email()], filters=[strip])
    password = PasswordField(_l("Password"), validators=[DataRequired()])
    remember = BooleanField(_l("Keep me logged in on this device"))
    next = HiddenField()


class ForgotPasswordForm(AppForm):
    email = EmailField(
        _l("Email"),
        validators=[DataRequired(), Email(), Length(max=254)],
        filters=[strip],
        description=_l("The address you log in with."),
    )


class NewPasswordMixin:
    """A new password twice, checked against the length and common-password rules."""

    password = PasswordField(
        _l("New password"),
        validators=[DataRequired()],
        description=_l("At least 12 characters. A few unrelated words together are easy to remember."),
    )
    confirm = PasswordField(
        _l("New password again"),
        validators=[DataRequired(), EqualTo("password", message=_l("The two passwords differ."))],
    )

    email_for_check: str | None = None

    def validate_password(self, field):
        problem = password_problem(field.data or "", self.email_for_check)
        if problem:
            raise ValidationError(problem)


class ProfileForm(AppForm):
    display_name = StringField(
        _l("Your name as others see it"),
        validators=[DataRequired(), Length(max=80)],
        filters=[strip],
        description=_l("A first name and an initial is enough."),
    )
    locale = SelectField(_l("Language"), choices=[])


class ChangePasswordForm(NewPasswordMixin, AppForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired()])


class ResetPasswordForm(NewPasswordMixin, AppForm):
    pass


class AcceptInvitationForm(NewPasswordMixin, AppForm):
    display_name = StringField(
        _l("Your name as others see it"),
        validators=[DataRequired(), Length(max=80)],
        filters=[strip],
        description=_l("A first name and an initial is enough."),
    )
    password = NewPasswordMixin.password
    confirm = NewPasswordMixin.confirm
