"""Login, logout, the language switch, one's own password and sessions, and the
administrator's page for login locks and password resets."""

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from .. import timeutil
from ..extensions import db
from ..forms.base import BaseForm
from ..models import ApiToken, User
from ..models.security import LoginEvent, UserSession
from ..security import accounts, passwords, sessions, throttle
from ..security import login as checks
from ..services.errors import ValidationFailed

bp = Blueprint("auth", __name__)
MAX_ID = 2**31 - 1  # ids are 32-bit; a larger number names nothing (and overflows SQLite)

# While a one-time password is in use, these are the only pages that open.
OPEN_DURING_FORCED_CHANGE = frozenset(
    {
        "auth.change_password",
        "auth.logout",
        "auth.set_language",
        "auth.login",
        "static",
        "offline.service_worker",
        "offline.manifest",
    }
)


class LoginForm(BaseForm):
    username = StringField(_l("Username"), [DataRequired(), Length(max=64)])
    password = PasswordField(_l("Password"), [DataRequired(), Length(max=200)])


class ChangePasswordForm(BaseForm):
    current_password = PasswordField(
        _l("Current password"), [DataRequired(), Length(max=passwords.MAX_LENGTH)]
    )
    new_password = PasswordField(_l("New password"), [DataRequired()])
    confirm = PasswordField(
        _l("New password again"),
        [DataRequired(), EqualTo("new_password", _l("The two new passwords differ."))],
    )


class ResetForm(BaseForm):
    username = StringField(_l("Username"), [DataRequired(), Length(max=64)])


def _safe_next(target: str | None) -> str:
    # Only local paths: never redirect a logged-in user to another site.
    if target and target.startswith("/") and not urlsplit(target).netloc and "//" not in target:
        return target
    return url_for("cases.my_work")


def forced_change_gate():
    """before_request: a user on a one-time password sees only the change form."""
    if request.path.startswith("/api/") or request.endpoint in OPEN_DURING_FORCED_CHANGE:
        return None
    if current_user.is_authenticated and current_user.must_change_password:
        return redirect(url_for("auth.change_password"))
    return None


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        outcome = checks.attempt(form.username.data, form.password.data, "web")
        if outcome.user:
            sessions.start(outcome.user)
            login_user(outcome.user)
            db.session.commit()
            if outcome.user.must_change_password:
                return redirect(url_for("auth.change_password"))
            return redirect(_safe_next(request.args.get("next")))
        if outcome.throttled:
            flash(checks.throttled_message(outcome.verdict), "danger")
            status = 429
        else:
            flash(_("Wrong username or password."), "danger")
    response = render_template("login.html", form=form), status
    if status == 429:
        return (*response, {"Retry-After": str(outcome.verdict.retry_after)})
    return response


@bp.post("/logout")
@login_required
def logout():
    record = sessions.this_session()
    if record is not None:
        sessions.end(record, "logout")
        db.session.commit()
    logout_user()
    session.clear()
    response = redirect(url_for("auth.login"))
    # The drafts kept on this device (encrypted) and the kept empty forms go with the login.
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response


@bp.get("/lang/<code>")
def set_language(code):
    if code in ("zh_Hans_CN", "en"):
        session["lang"] = code
    return redirect(_safe_next(request.args.get("next")))


# --- one's own account ----------------------------------------------------------------


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    status = 200
    if form.validate_on_submit():
        user = current_user._get_current_object()
        outcome = checks.attempt(user.username, form.current_password.data, "web")
        if outcome.throttled:
            form.current_password.errors.append(checks.throttled_message(outcome.verdict))
            status = 429
        elif outcome.user is None:
            form.current_password.errors.append(_("The current password is wrong."))
            status = 422
        else:
            try:
                record = sessions.this_session()
                accounts.change_password(
                    user, form.new_password.data, keep_session=record.id if record else None
                )
            except ValidationFailed as exc:
                db.session.rollback()
                form.new_password.errors.extend(exc.fields["new_password"])
                status = 422
            else:
                db.session.commit()
                flash(
                    _("Your password was changed. Your other sessions and tokens ended."), "success"
                )
                return redirect(url_for("cases.my_work"))
    elif request.method == "POST":
        status = 422
    return render_template(
        "account_password.html", form=form, min_length=passwords.MIN_LENGTH
    ), status


@bp.get("/account/sessions")
@login_required
def my_sessions():
    user = current_user._get_current_object()
    record = sessions.this_session()
    return render_template(
        "account_sessions.html",
        open_sessions=sessions.open_sessions(user),
        tokens=sessions.open_tokens(user),
        this_id=record.id if record else None,
    )


@bp.post("/account/sessions/<int:session_id>/end")
@login_required
def end_session(session_id):
    record = db.session.get(UserSession, session_id) if session_id <= MAX_ID else None
    if record is None or record.user_id != current_user.id:
        abort(404)
    sessions.end(record, "ended_by_user")
    db.session.commit()
    if record.id == getattr(sessions.this_session(), "id", None):
        logout_user()
        session.clear()
        return redirect(url_for("auth.login"))
    flash(_("The session was ended."), "success")
    return redirect(url_for("auth.my_sessions"))


@bp.post("/account/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id):
    token = db.session.get(ApiToken, token_id) if token_id <= MAX_ID else None
    if token is None or token.user_id != current_user.id:
        abort(404)
    sessions.revoke_token(token)
    db.session.commit()
    flash(_("The API token was revoked."), "success")
    return redirect(url_for("auth.my_sessions"))


# --- the administrator's page ---------------------------------------------------------


def _admin_only():
    if current_user.role != "admin":
        abort(403)


@bp.get("/admin/security")
@login_required
def admin_security(reset_form=None, one_time=None, reset_user=None, status=200):
    _admin_only()
    events = db.session.scalars(
        db.select(LoginEvent).order_by(LoginEvent.at.desc(), LoginEvent.id.desc()).limit(50)
    )
    return render_template(
        "admin_security.html",
        locks=throttle.active_locks(),
        events=list(events),
        reset_form=reset_form or ResetForm(),
        one_time=one_time,
        reset_user=reset_user,
    ), status


@bp.post("/admin/security/locks/lift")
@login_required
def lift_lock():
    _admin_only()
    key = request.form.get("key", "")
    if not isinstance(key, str) or len(key) > 100 or not throttle.lift(key, current_user.username):
        db.session.rollback()
        flash(_("There is no such lock (it may have run out)."), "warning")
    else:
        db.session.commit()
        flash(_("The lock was lifted."), "success")
    return redirect(url_for("auth.admin_security"))


@bp.post("/admin/security/reset")
@login_required
def reset_password():
    _admin_only()
    form = ResetForm()
    if not form.validate_on_submit():
        return admin_security(reset_form=form, status=422)
    user = db.session.scalar(db.select(User).where(User.username == form.username.data))
    if user is None:
        form.username.errors.append(_("No such user."))
        return admin_security(reset_form=form, status=422)
    one_time = accounts.reset_password(user)
    db.session.add(
        LoginEvent(
            at=timeutil.now(),
            kind="reset",
            channel="admin",
            username=user.username,
            user_id=user.id,
            address=(request.remote_addr or "")[:64] or None,
            detail=f"password reset by {current_user.username}"[:200],
        )
    )
    db.session.commit()
    # Shown once, on this answer only (no-store): the administrator hands it over.
    return admin_security(one_time=one_time, reset_user=user)
