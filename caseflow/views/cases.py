"""Case pages."""

from flask import Blueprint
from flask_login import login_required

bp = Blueprint("cases", __name__)


@bp.get("/")
@login_required
def my_work():
    return "ok"
