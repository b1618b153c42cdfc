"""policy.Redactor: what counts as an identity in free text, and what does not."""

from types import SimpleNamespace

from caseflow import policy


def person(name=None, id_number=None, phone=None, address=None, role="subject"):
    return SimpleNamespace(name=name, id_number=id_number, phone=phone, address=address, role=role)


VICTIM = person("王秀英", "50024019850920002X", "13812345678", "城南社区幸福路8号")
ABUSER = person("欧阳建国", role="abuser")


def redact(text, *persons):
    return policy.Redactor(persons or (VICTIM, ABUSER)).text(text)


def test_full_given_and_surname_forms_take_the_name_mask():
    assert redact("王秀英报警") == "王**报警"
    assert redact("秀英说") == "王**说"
    assert redact("王某、王某某、王氏") == "王**、王**、王**"
    # A compound surname: the given name is what follows it.
    assert redact("欧阳建国打人，建国走了，欧阳某回来") == "欧***打人，欧***走了，欧***回来"


def test_numbers_and_addresses():
    assert redact("身份证50024019850920002x") == "身份证50************002X"
    assert "50024019850920002" not in redact("身份证50024019850920002x")
    assert redact("电话13812345678") == "电话138****5678"
    assert redact("住城南社区幸福路8号") == "住***"
    # Anybody's ID number or mobile number, even of a person the case does not record.
    assert redact("证人 500240199001010011 作证") == "证人 50************0011 作证"
    assert redact("邻居 159-0000-1111") == "邻居 159****1111"
    # Longer digit strings are not phone or ID numbers (a court case number, an amount).
    assert redact("案号 2026001234567890123456") == "案号 2026001234567890123456"


def test_text_without_identities_is_returned_as_it_is():
    text = "当事人情绪稳定，被申请人未再出现。"
    assert redact(text) is text
    assert not getattr(redact(text), "redacted", False)
    # A one-character given name is too common to replace alone.
    assert redact("芳香", person("王芳")) == "芳香"
    assert redact("王芳来电", person("王芳")) == "王*来电"


def test_the_page_shows_the_mark_and_escapes_the_text(app):
    with app.test_request_context():
        shown = redact("<b>王秀英</b>")
        html = shown.__html__()
    assert "&lt;b&gt;王**&lt;/b&gt;" in html and "redacted-note" in html


def test_identities_typed_names_what_was_found():
    case = SimpleNamespace(persons=[VICTIM, ABUSER])
    found = policy.identities_typed(case, ["王某说秀英不在", "电话 13900001111", None, ""])
    assert found == sorted({"王某", "秀英", "13900001111"})
    assert policy.identities_typed(case, ["当事人称被申请人离开"]) == []
