"""Login, logout and the language switch."""

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required, login_user, logout_user
from werkzeug.security import check_password_hash, generate_password_hash
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from ..extensions import db, limiter
from ..forms.base import BaseForm
from ..models import User

bp = Blueprint("auth", __name__)


class LoginForm(BaseForm):
    username = StringField(_l("Username"), [DataRequired(), Length(max=64)])
    password = PasswordField(_l("Password"), [DataRequired(), Length(max=200)])


def _login_limit():
    return current_app.config["LOGIN_RATE_LIMIT"]


# Checked when the username is unknown, so the answer takes as long as for a real user
# and response times do not reveal which usernames exist.
_DUMMY_HASH = generate_password_hash("not-a-password", method="scrypt")


def authenticate(username: str, password: str) -> User | None:
    user = db.session.scalar(db.select(User).where(User.username == username))
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not user.check_password(password) or not user.active:
        return None
    return user


def _safe_next(target: str | None) -> str:
    # Only local paths: never redirect a logged-in user to another site.
    if target and target.startswith("/") and not urlsplit(target).netloc and "//" not in target:
        return target
    return url_for("cases.my_work")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.username.data, form.password.data)
        if user:
            session.clear()
            login_user(user)
            return redirect(_safe_next(request.args.get("next")))
        flash(_("Wrong username or password."), "danger")
    return render_template("login.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    session.clear()
    return redirect(url_for("auth.login"))


@bp.get("/lang/<code>")
def set_language(code):
    if code in ("zh_Hans_CN", "en"):
        session["lang"] = code
    return redirect(_safe_next(request.args.get("next")))
