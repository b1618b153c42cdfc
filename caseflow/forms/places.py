"""The place a case is about: a village or community in the user's area."""

from flask_babel import lazy_gettext as _l
from wtforms import SelectField
from wtforms.validators import InputRequired

from ..extensions import db
from ..models import Jurisdiction
from .base import BaseForm, choices, open_places

REQUIRED = _l("This field is required.")


class PlaceForm(BaseForm):
    """A creation form whose case happens in one of the villages of the user's area."""

    jurisdiction = SelectField(_l("Village / community"), [InputRequired(REQUIRED)], choices=[])

    def setup(self, actor):
        base = actor.organisation.jurisdiction
        villages = db.session.scalars(
            db.select(Jurisdiction)
            .where(Jurisdiction.level == "village", Jurisdiction.path.startswith(base.path))
            .order_by(Jurisdiction.path)
        ).all()
        villages = open_places(villages)
        options = [(v.code, v.full_name) for v in villages]
        if len(villages) == 1:
            # The user's only choice is no guess; with several, none is pre-selected.
            if not self.jurisdiction.data:
                self.jurisdiction.data = villages[0].code
        else:
            options.insert(0, ("", _l("Choose…")))
        self.jurisdiction.choices = choices(options)
        return self

    def jurisdiction_id(self) -> int:
        return db.session.scalar(
            db.select(Jurisdiction.id).where(Jurisdiction.code == self.jurisdiction.data)
        )
