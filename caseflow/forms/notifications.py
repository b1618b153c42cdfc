"""A user's notification preferences: an email address (optional) and immediate or digest."""

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField
from wtforms.validators import InputRequired, Length, Optional, Regexp

from .base import BaseForm, choices

# A plain address check (no network look-up): one @, a dot in the domain, no spaces.
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
NOTIFY_MODES = ("immediate", "digest")


class NotificationSettingsForm(BaseForm):
    email = StringField(
        _l("Email address"),
        validators=[
            Optional(),
            Length(max=200),
            Regexp(EMAIL_PATTERN, message=_l("Not a valid email address.")),
        ],
        description=_l("Optional. Leave empty to be told only here, in the inbox."),
    )
    notify_mode = SelectField(
        _l("Email me"),
        choices=choices(
            [
                ("immediate", _l("Each notification at once")),
                ("digest", _l("One daily digest")),
            ]
        ),
        validators=[InputRequired(message=_l("This field is required."))],
    )
