"""Every create and action body is read by its JSON types (forms/base.py from_json):
a value of another type for any field of any form is refused, naming the field, before
a form is even built (Hypothesis over every form and field)."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from caseflow.forms import (
    ACTION_FORMS,
    CREATE_FORMS,
    BadShape,
    HotlineCallForm,
    ReferralAnswerForm,
    ReferralForm,
    VisitForm,
    from_json,
)
from caseflow.forms.base import form_fields, item_kind, json_kind

FORMS = sorted(
    {*CREATE_FORMS.values(), *ACTION_FORMS.values()}
    | {HotlineCallForm, ReferralAnswerForm, ReferralForm, VisitForm},
    key=lambda form: form.__name__,
)


def leaf_fields(form_class, prefix=""):
    """(dotted name, unbound field, path of keys) of every field, nested ones included."""
    for name, unbound in form_fields(form_class).items():
        if name == "csrf_token":
            continue
        if json_kind(unbound) == "object":
            yield prefix + name, unbound, [name]
            for dotted, sub, path in leaf_fields(unbound.args[0], f"{prefix}{name}."):
                yield dotted, sub, [name, *path]
        else:
            yield prefix + name, unbound, [name]


FIELDS = [(form, *field) for form in FORMS for field in leaf_fields(form)]

SCALARS = {
    "boolean": st.booleans(),
    "integer": st.integers(min_value=-(2**40), max_value=2**40),
    "number": st.floats(allow_nan=False, allow_infinity=False),
    "string": st.text(max_size=5),
    "list": st.lists(st.integers(), max_size=2),
    "object": st.dictionaries(st.text(max_size=3), st.integers(), max_size=1),
}


def wrong_values(kind: str):
    """JSON values that are not of `kind` (an integer is a number, so not wrong for it)."""
    others = [k for k in SCALARS if k != kind and not (kind == "number" and k == "integer")]
    return st.one_of(*(SCALARS[k] for k in others))


def nest(path: list[str], value) -> dict:
    body = value
    for key in reversed(path):
        body = {key: body}
    return body


@pytest.mark.parametrize(
    ("form_class", "dotted", "unbound", "path"),
    FIELDS,
    ids=[f"{f.__name__}.{d}" for f, d, *_ in FIELDS],
)
def test_a_wrong_json_type_is_refused_naming_the_field(app, form_class, dotted, unbound, path):
    kind = json_kind(unbound)

    @settings(max_examples=8, deadline=None, database=None)
    @given(value=wrong_values(kind))
    def check(value):
        with app.test_request_context(), pytest.raises(BadShape) as refused:
            from_json(form_class, nest(path, value))
        assert list(refused.value.fields) == [dotted]

    check()


@pytest.mark.parametrize(
    ("form_class", "dotted", "unbound", "path"),
    [f for f in FIELDS if json_kind(f[2]) == "list"],
    ids=[f"{f[0].__name__}.{f[1]}" for f in FIELDS if json_kind(f[2]) == "list"],
)
def test_a_list_of_the_wrong_items_is_refused(app, form_class, dotted, unbound, path):
    wrong = "a" if item_kind(unbound) == "integer" else 1
    with app.test_request_context(), pytest.raises(BadShape) as refused:
        from_json(form_class, nest(path, [wrong]))
    assert list(refused.value.fields) == [dotted]
