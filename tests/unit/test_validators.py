"""Input rules shared by the pages and the API (caseflow.forms.base).

ID numbers: GB 11643-1999, 17 digits and an ISO 7064 MOD 11-2 check character. The valid
numbers below had their check character computed by hand (weights 7 9 10 5 8 4 2 1 6 3 7 9
10 5 8 4 2, remainder → 1 0 X 9 8 7 6 5 4 3 2); 11010519491231002X is the standard's own
example.
"""

from types import SimpleNamespace

import pytest
from werkzeug.datastructures import MultiDict
from wtforms.validators import ValidationError

from caseflow import create_app
from caseflow.config import TestConfig
from caseflow.forms.base import (
    BadShape,
    UnknownFields,
    flat_errors,
    from_json,
    id_number_ok,
    normalise_id_number,
    normalise_phone,
    phone,
)
from caseflow.forms.mandatory_report import ChildForm, MandatoryReportForm

# The shared forms still pass SelectField choices as tuples, deprecated in WTForms 3.3;
# building a form warns. That is the forms' business, not what these tests are about.


@pytest.fixture(scope="module")
def form_app():
    """Forms need an application (translations, configuration), not a database."""

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = "sqlite://"

    return create_app(Config)


@pytest.fixture
def request_ctx(form_app):
    with form_app.test_request_context():
        yield


# --- GB 11643 ---------------------------------------------------------------------------

VALID = [
    "11010519491231002X",  # the standard's example: check character X
    "500240201503080024",
    "440304200002290014",  # 29 February of a leap year
    "510106199001011233",
]


@pytest.mark.parametrize("number", VALID)
def test_valid_id_numbers(number):
    assert id_number_ok(number)


@pytest.mark.parametrize(
    "number",
    [
        "11010519491231002" + "0",
        "500240201503080025",
        "440304200002290015",
        "510106199001011234",
    ],
)
def test_wrong_check_character(number):
    assert not id_number_ok(number)


@pytest.mark.parametrize(
    "number",
    [
        "500240201502300013",  # 30 February (check character right)
        "500240201613010019",  # month 13
        "440304200102290011",  # 29 February 2001, not a leap year
    ],
)
def test_impossible_birth_date_with_a_right_check_character(number):
    assert not id_number_ok(number)


@pytest.mark.parametrize(
    "number",
    ["", "50024020150308002", "5002402015030800244", "50024020150308002A", "5002402015030800２4"],
)
def test_wrong_shape(number):
    assert not id_number_ok(number)


def test_lowercase_x_is_normalised_before_the_check():
    assert not id_number_ok("11010519491231002x")
    assert normalise_id_number(" 11010519491231002x ") == "11010519491231002X"
    assert id_number_ok(normalise_id_number("11010519491231002x"))
    assert normalise_id_number(None) is None


def test_full_width_characters_from_a_chinese_input_method_are_normalised():
    # Full-width digits are \d to Python's re; the check itself must insist on ASCII.
    assert not id_number_ok("１１０１０５１９４９１２３１００２Ｘ")
    assert normalise_id_number("１１０１０５１９４９１２３１００２ｘ") == "11010519491231002X"
    assert id_number_ok(normalise_id_number("１１０１０５１９４９１２３１００２ｘ"))


# --- phone ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("138-0000-0000", "13800000000"),
        (" 138 0000 0000 ", "13800000000"),
        ("+86 138 0000 0000", "13800000000"),
        ("+86-13800000000", "13800000000"),
        ("008613800000000", "13800000000"),
        ("(023) 7333-1234", "02373331234"),
        ("12338", "12338"),
        ("１３８－００００－００００", "13800000000"),
        ("＋８６ １３８００００００００", "13800000000"),
        ("", ""),
        (None, None),
    ],
)
def test_normalise_phone(raw, expected):
    assert normalise_phone(raw) == expected


# --- a child's details, as the nested form checks them -----------------------------------


def child(**values):
    base = {"name": "冉小雨", "sex": "F"}
    base.update(values)
    return ChildForm(formdata=MultiDict({k: v for k, v in base.items() if v is not None}))


def test_child_form_normalises_then_checks_the_id_number(request_ctx):
    form = child(id_number="11010519491231002x", phone="+86 138-0000-0000")
    assert form.validate(), form.errors
    assert form.id_number.data == "11010519491231002X"
    assert form.phone.data == "13800000000"


def test_child_form_refuses_a_bad_id_number_and_a_bad_phone(request_ctx):
    form = child(id_number="500240201503080025", phone="12")
    assert not form.validate()
    assert set(form.errors) == {"id_number", "phone"}


def test_the_phone_check_insists_on_ascii_digits(request_ctx):
    phone(None, SimpleNamespace(data="13800000000"))
    with pytest.raises(ValidationError):
        phone(None, SimpleNamespace(data="１３８００００００００"))


def test_child_form_birth_date_must_match_the_id_number(request_ctx):
    assert child(id_number="500240201503080024", birth_date="2015-03-08").validate()
    form = child(id_number="500240201503080024", birth_date="2015-03-09")
    assert not form.validate()
    assert set(form.errors) == {"birth_date"}


# --- from_json: the API's bodies through the same forms -----------------------------------


def test_from_json_refuses_an_unknown_field(request_ctx):
    with pytest.raises(UnknownFields) as info:
        from_json(MandatoryReportForm, {"description": "x", "secret_flag": True})
    assert set(info.value.fields) == {"secret_flag"}


def test_from_json_refuses_an_unknown_nested_field(request_ctx):
    with pytest.raises(UnknownFields) as info:
        from_json(MandatoryReportForm, {"subject": {"name": "冉小雨", "nickname": "雨雨"}})
    assert set(info.value.fields) == {"subject.nickname"}  # named like flat_errors


def test_from_json_refuses_a_list_for_a_single_field(request_ctx):
    with pytest.raises(BadShape) as info:
        from_json(MandatoryReportForm, {"description": ["a", "b"]})
    assert set(info.value.fields) == {"description"}


def test_from_json_refuses_an_object_for_a_scalar(request_ctx):
    with pytest.raises(BadShape) as info:
        from_json(MandatoryReportForm, {"description": {"text": "a"}})
    assert set(info.value.fields) == {"description"}


def test_from_json_refuses_a_scalar_for_a_nested_form(request_ctx):
    with pytest.raises(BadShape) as info:
        from_json(MandatoryReportForm, {"subject": "冉小雨"})
    assert set(info.value.fields) == {"subject"}


def test_from_json_refuses_objects_inside_a_list(request_ctx):
    with pytest.raises(BadShape) as info:
        from_json(MandatoryReportForm, {"situation_codes": [1, {"code": 4}]})
    assert set(info.value.fields) == {"situation_codes"}


def test_from_json_refuses_a_body_that_is_not_an_object(request_ctx):
    with pytest.raises(BadShape):
        from_json(MandatoryReportForm, ["description", "x"])


def test_from_json_reports_unknown_fields_before_bad_shapes(request_ctx):
    with pytest.raises(UnknownFields):
        from_json(MandatoryReportForm, {"description": ["a"], "bogus": 1})


def test_from_json_fills_nested_subject_fields(request_ctx):
    form = from_json(
        MandatoryReportForm,
        {
            "description": "  入户走访时发现  ",
            "ongoing_danger": True,
            "guardian_is_suspect": False,
            "situation_codes": [4, 1],
            "subject": {
                "name": " 冉小雨 ",
                "sex": "F",
                "id_number": "11010519491231002x",
                "phone": "+86 138-0000-0000",
                "birth_date": None,
            },
            "reporter": {"name": " 谭春梅 ", "organisation_name": "城南社区居民委员会 "},
        },
    )
    assert form.description.data == "入户走访时发现"
    assert form.ongoing_danger.data is True
    assert form.guardian_is_suspect.data is False
    assert form.situation_codes.data == [4, 1]
    subject = form.subject.form
    assert subject.name.data == "冉小雨"  # trimmed like every other string
    assert subject.sex.data == "F"
    assert subject.id_number.data == "11010519491231002X"
    assert subject.phone.data == "13800000000"
    assert subject.birth_date.data is None
    assert form.reporter.form.name.data == "谭春梅"
    assert form.reporter.form.organisation_name.data == "城南社区居民委员会"


def test_nested_errors_are_flattened_with_dots(request_ctx):
    form = from_json(
        MandatoryReportForm,
        {"description": "x", "subject": {"name": "", "sex": "F", "id_number": "123"}},
    )
    assert not form.validate()
    errors = flat_errors(form)
    assert "subject.name" in errors
    assert "subject.id_number" in errors
    assert "subject.sex" not in errors
