"""The interface reads in Simplified Chinese as well as in English (issue 9).

- the zh_Hans catalogue is complete: no untranslated or fuzzy entry, placeholders kept;
- templates and Python code mark every user-visible string for translation;
- the committed catalogue is up to date with the code (when gettext tools are installed);
- every page of SPEC section 8 and the admin shows no English UI word once switched to 简体中文.
"""

import ast
import html
import io
import os
import re
import shutil
import subprocess
import sys
import zoneinfo
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.template.base import Lexer, TokenType
from django.test import Client
from django.urls import reverse
from django.utils import translation

from automation.models import Rule
from contracts.models import Contract
from customers.models import Account, Contact
from desk.models import Preferences
from plans.models import SupportPlan
from sla.models import SLA, HolidayList
from tickets.models import Ticket

BASE_DIR = Path(settings.BASE_DIR)
APPS = [
    "desk",
    "customers",
    "sla",
    "plans",
    "contracts",
    "tickets",
    "automation",
    "helpcentre",
    "api",
]
PO_FILE = BASE_DIR / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
MO_FILE = PO_FILE.with_suffix(".mo")


# --- (a) the catalogue ---------------------------------------------------------------------------


def _unquote(lines: list[str]) -> str:
    return "".join(ast.literal_eval(line) for line in lines)


def parse_po(path: Path) -> list[dict]:
    """Entries of a .po file: msgctxt, msgid, msgid_plural, msgstr (list), flags, obsolete."""
    entries, entry, field = [], None, None

    def finish():
        if entry is not None and "msgid" in entry:
            entries.append(
                {
                    "msgctxt": _unquote(entry.get("msgctxt", [])) if "msgctxt" in entry else None,
                    "msgid": _unquote(entry["msgid"]),
                    "msgid_plural": _unquote(entry["msgid_plural"])
                    if "msgid_plural" in entry
                    else None,
                    "msgstr": [
                        _unquote(lines)
                        for key, lines in sorted(entry.items())
                        if key.startswith("msgstr")
                    ],
                    "flags": entry["flags"],
                    "obsolete": entry["obsolete"],
                }
            )

    for raw in path.read_text(encoding="utf-8").splitlines() + [""]:
        line = raw.strip()
        obsolete = line.startswith("#~")
        if obsolete:
            line = line[2:].strip()
        if not line:
            finish()
            entry, field = None, None
            continue
        if entry is None:
            entry = {"flags": set(), "obsolete": False}
        if obsolete:
            entry["obsolete"] = True
        if line.startswith("#,"):
            entry["flags"].update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            entry[field].append(line)
        else:
            keyword, _, rest = line.partition(" ")
            if keyword == "msgid" and "msgid" in entry:  # no blank line between entries
                finish()
                entry = {"flags": set(), "obsolete": obsolete}
            field = keyword
            entry[field] = [rest]
    return entries


def catalogue() -> list[dict]:
    return [e for e in parse_po(PO_FILE) if e["msgid"] and not e["obsolete"]]


PYTHON_PLACEHOLDER = re.compile(r"%(?:\([A-Za-z_][A-Za-z0-9_]*\))?[-#0 +]*\d*(?:\.\d+)?[sdifr%]")
BRACE_PLACEHOLDER = re.compile(r"{{?\s*[A-Za-z_][A-Za-z0-9_.]*\s*}}?")


def test_the_catalogue_and_its_compiled_form_are_committed():
    assert PO_FILE.is_file()
    assert MO_FILE.is_file()
    assert MO_FILE.stat().st_size > 1000


def test_every_catalogue_entry_is_translated_and_not_fuzzy():
    entries = catalogue()
    assert len(entries) > 200
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
    untranslated = [e["msgid"] for e in entries if not all(s.strip() for s in e["msgstr"])]
    assert fuzzy == []
    assert untranslated == []


def test_every_translation_keeps_its_placeholders():
    wrong = []
    for entry in catalogue():
        for pattern in (PYTHON_PLACEHOLDER, BRACE_PLACEHOLDER):
            wanted = sorted(set(pattern.findall(entry["msgid"])))
            if entry["msgid_plural"]:
                wanted = sorted(set(wanted) | set(pattern.findall(entry["msgid_plural"])))
            for msgstr in entry["msgstr"]:
                found = sorted(set(pattern.findall(msgstr)))
                # A Chinese plural form may leave out the number (一个 …), never add one.
                if entry["msgid_plural"]:
                    if not set(found) <= set(wanted):
                        wrong.append((entry["msgid"], msgstr))
                elif found != wanted:
                    wrong.append((entry["msgid"], msgstr))
    assert wrong == []


def test_the_catalogue_uses_the_articles_terms():
    """The help-centre article's own words, not loose synonyms."""
    translations = {
        (e["msgctxt"], e["msgid"]): e["msgstr"][0] for e in catalogue() if not e["msgid_plural"]
    }
    by_msgid = {msgid: msgstr for (_, msgid), msgstr in translations.items()}
    assert "技术支持计划" in by_msgid["Support plans"]
    assert by_msgid["Ticket-based"] == "基于工单"
    assert by_msgid["Unlimited"] == "无限"
    assert "信用点数周期" in by_msgid["Credit cycle"]
    assert "信用点数限制" in by_msgid["Credit limit"]
    assert "合同" in by_msgid["Contracts"]


# --- (b) templates -------------------------------------------------------------------------------

#  Visible text made of these only needs no translation.
ALLOWED_TEXT = {"#", "—", "–", "·", "×", "→", "←", "+", "/", ":", "…", "|", "%", "(", ")", "-"}
VISIBLE_ATTRIBUTES = {"aria-label", "title", "placeholder", "alt", "aria-description"}
LETTER = re.compile(r"[^\W\d_]")
PLACEHOLDER = "\x1f"


def template_files() -> list[Path]:
    folders = [BASE_DIR / "templates"] + [BASE_DIR / app / "templates" for app in APPS]
    return sorted(p for folder in folders if folder.is_dir() for p in folder.rglob("*.html"))


def template_without_tags(source: str) -> str:
    """The template as HTML: Django tags and variables become a placeholder, and the text inside
    {% blocktranslate %} and {% comment %} is dropped (it is translated or not shown)."""
    parts, skip = [], None
    for token in Lexer(source).tokenize():
        content = token.contents.split()
        name = content[0] if content else ""
        if token.token_type == TokenType.BLOCK:
            if skip is None and name in {"blocktranslate", "blocktrans"}:
                skip = "endblocktranslate" if name == "blocktranslate" else "endblocktrans"
            elif skip is None and name == "comment":
                skip = "endcomment"
            elif skip == name:
                skip = None
            parts.append(PLACEHOLDER)
        elif token.token_type == TokenType.TEXT:
            if skip is None:
                parts.append(token.contents)
        else:
            parts.append(PLACEHOLDER)
    return "".join(parts)


class VisibleText(HTMLParser):
    """Collects text a user sees: element text and user-visible attribute values."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in {"script", "style"}:
            self.hidden += 1
        for name, value in attrs:
            if name in VISIBLE_ATTRIBUTES and value and LETTER.search(value):
                self.found.append(f'{name}="{value}"')
        kind = dict(attrs).get("type")
        value = dict(attrs).get("value") or ""
        if tag == "input" and kind in {"submit", "button", "reset"} and LETTER.search(value):
            self.found.append(f'value="{value}"')

    def handle_endtag(self, tag):
        if tag in {"script", "style"}:
            self.hidden = max(0, self.hidden - 1)

    def handle_data(self, data):
        if self.hidden:
            return
        for piece in data.split(PLACEHOLDER):
            piece = html.unescape(piece).strip()
            if piece and piece not in ALLOWED_TEXT and LETTER.search(piece):
                self.found.append(piece)


def unmarked_template_text(source: str) -> list[str]:
    parser = VisibleText()
    parser.feed(template_without_tags(source))
    parser.close()
    return parser.found


def test_the_template_check_catches_unmarked_text():
    source = (
        '{% load i18n %}<h1 class="x">Tickets</h1><p>{% translate "Fine" %}</p>'
        '<button aria-label="Close">×</button>{% blocktranslate %}Also {{ n }} fine'
        '{% endblocktranslate %}<span title="{% translate "Ok" %}">{{ value }} · #</span>'
        "<!-- a note --><script>var label = 'ignored';</script>{# note #}"
        '<input type="submit" value="Go"><input type="hidden" name="next" value="/x/">'
    )
    assert unmarked_template_text(source) == ["Tickets", 'aria-label="Close"', 'value="Go"']


@pytest.mark.parametrize(
    "path", template_files(), ids=lambda p: str(p.relative_to(BASE_DIR)).replace("/", ":")
)
def test_template_text_is_marked_for_translation(path):
    assert unmarked_template_text(path.read_text(encoding="utf-8")) == []


def test_templates_pass_no_literal_text_to_includes():
    """`{% include … with title="Literal" %}` would show untranslated text."""
    literal = re.compile(r"""\b\w+=(["'])([^"']*[^\W\d_][^"']*)\1""")
    wrong = []
    for path in template_files():
        for token in Lexer(path.read_text(encoding="utf-8")).tokenize():
            if token.token_type == TokenType.BLOCK and token.contents.startswith("include"):
                for match in literal.finditer(token.contents):
                    if " " in match.group(2) or match.group(2)[:1].isupper():
                        wrong.append((str(path.relative_to(BASE_DIR)), token.contents))
    assert wrong == []


# --- (c) Python ----------------------------------------------------------------------------------

TRANSLATE_FUNCTIONS = {
    "_",
    "gettext",
    "gettext_lazy",
    "pgettext",
    "pgettext_lazy",
    "ngettext",
    "ngettext_lazy",
    "npgettext",
    "npgettext_lazy",
}
VISIBLE_KEYWORDS = {
    "label",
    "help_text",
    "verbose_name",
    "verbose_name_plural",
    "empty_label",
    "description",
    "short_description",
}
MESSAGE_FUNCTIONS = {"success", "error", "warning", "info", "debug", "add_message"}
MODEL_FIELD = re.compile(r"^(?!(ForeignKey|OneToOneField|ManyToManyField)$)\w+Field$")
CRISPY_WITH_TEXT = {"Submit": 1, "Button": 1, "Reset": 1, "Fieldset": 0, "HTML": 0}


def python_files() -> list[Path]:
    files = []
    for app in APPS:
        for path in (BASE_DIR / app).rglob("*.py"):
            parts = path.relative_to(BASE_DIR).parts
            if "migrations" in parts or "management" in parts or "benchmark" in parts:
                continue
            files.append(path)
    return sorted(files)


def _name(node) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _is_text(node) -> bool:
    """A literal that a user would read: a string with a letter in it, or an f-string."""
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp):  # "a" + "b", "a %s" % x
        return _is_text(node.left) or _is_text(node.right)
    return (
        isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and bool(LETTER.search(node.value))
    )


class UnmarkedStrings(ast.NodeVisitor):
    def __init__(self, constants: dict[str, ast.AST]):
        self.constants = constants  # module-level NAME = "literal"
        self.found: list[tuple[int, str]] = []

    def flag(self, node, why):
        if _is_text(node):
            self.found.append((node.lineno, why))
        elif isinstance(node, ast.Name) and node.id in self.constants:
            self.found.append((node.lineno, f"{why} (constant {node.id})"))
        elif isinstance(node, ast.Dict):
            for value in node.values:
                self.flag(value, why)
        elif isinstance(node, ast.List | ast.Tuple):
            for value in node.elts:
                self.flag(value, why)

    def visit_Call(self, node):
        name = _name(node.func)
        if name in TRANSLATE_FUNCTIONS:
            texts = 3 if name.startswith("np") else 2 if name.startswith("n") else None
            for arg in node.args[:texts]:
                if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
                    self.found.append((node.lineno, f"{name}() of a non-literal"))
        if name == "ValidationError":
            for arg in node.args[:1]:
                self.flag(arg, "ValidationError")
            for keyword in node.keywords:
                if keyword.arg == "message":
                    self.flag(keyword.value, "ValidationError")
        if name in MESSAGE_FUNCTIONS and _name(getattr(node.func, "value", None)) == "messages":
            for arg in node.args[1:]:
                self.flag(arg, f"messages.{name}")
        if name in {"add_error"} and len(node.args) > 1:
            self.flag(node.args[1], "add_error")
        if name in CRISPY_WITH_TEXT and len(node.args) > CRISPY_WITH_TEXT[name]:
            self.flag(node.args[CRISPY_WITH_TEXT[name]], name)
        if MODEL_FIELD.match(name) and node.args:
            self.flag(node.args[0], f"{name} verbose name")
        for keyword in node.keywords:
            if keyword.arg in VISIBLE_KEYWORDS:
                self.flag(keyword.value, f"{keyword.arg}=")
            if keyword.arg == "choices" and isinstance(keyword.value, ast.List | ast.Tuple):
                for choice in keyword.value.elts:
                    if isinstance(choice, ast.Tuple) and len(choice.elts) == 2:
                        self.flag(choice.elts[1], "choices label")
            if keyword.arg == "error_messages" and isinstance(keyword.value, ast.Dict):
                self.flag(keyword.value, "error_messages")
        self.generic_visit(node)

    def visit_Assign(self, node):
        for target in node.targets:
            if _name(target) in VISIBLE_KEYWORDS | {"empty_value_display", "site_header"}:
                self.flag(node.value, f"{_name(target)} =")
        self.generic_visit(node)

    def visit_ClassDef(self, node):
        bases = {_name(base) for base in node.bases}
        if bases & {"TextChoices", "IntegerChoices", "Choices"}:
            for statement in node.body:
                if isinstance(statement, ast.Assign) and not _name(statement.targets[0]).startswith(
                    "_"
                ):
                    value = statement.value
                    if isinstance(value, ast.Tuple):
                        self.flag(value.elts[-1], f"{node.name} choice label")
                    elif isinstance(value, ast.Constant):
                        # The label would be made from the member's name, in English.
                        self.found.append((statement.lineno, f"{node.name} choice without label"))
        self.generic_visit(node)


def unmarked_python_strings(source: str) -> list[tuple[int, str]]:
    tree = ast.parse(source)
    constants = {
        target.id: statement.value
        for statement in tree.body
        if isinstance(statement, ast.Assign) and _is_text(statement.value)
        for target in statement.targets
        if isinstance(target, ast.Name)
    }
    visitor = UnmarkedStrings(constants)
    visitor.visit(tree)
    return visitor.found


def test_the_python_check_catches_unmarked_strings():
    source = """
from django.utils.translation import gettext_lazy as _
PLAIN = "Plain words"
MARKED = _("Marked")

class Colour(models.TextChoices):
    RED = "red", _("Red")
    BLUE = "blue", "Blue"
    GREEN = "green"

def f(request, name):
    messages.success(request, "Saved.")
    messages.success(request, _("Saved."))
    raise ValidationError(PLAIN)
    raise ValidationError(MARKED)
    raise ValidationError({"name": "Too long"})
    forms.CharField(label="Name", help_text=_("Help"))
    _(f"Hello {name}")
    models.CharField("name", max_length=3)
    models.ForeignKey("app.Model", on_delete=None)
"""
    found = [why for _, why in unmarked_python_strings(source)]
    assert found == [
        "Colour choice label",
        "Colour choice without label",
        "messages.success",
        "ValidationError (constant PLAIN)",
        "ValidationError",
        "label=",
        "_() of a non-literal",
        "CharField verbose name",
    ]


@pytest.mark.parametrize(
    "path", python_files(), ids=lambda p: str(p.relative_to(BASE_DIR)).replace("/", ":")
)
def test_python_user_visible_strings_are_marked_for_translation(path):
    assert unmarked_python_strings(path.read_text(encoding="utf-8")) == []


# --- (d) the committed catalogue is up to date ---------------------------------------------------


@pytest.mark.skipif(not shutil.which("xgettext"), reason="gettext tools are not installed")
def test_the_committed_catalogue_has_every_msgid_of_the_code(tmp_path):
    """makemessages over a copy of the project finds no msgid that the committed .po lacks."""
    copy = tmp_path / "project"
    ignore = shutil.ignore_patterns("__pycache__", "*.mo")
    for name in ["config", "templates", "locale", *APPS, "ops", "benchmark"]:  # all installed
        shutil.copytree(BASE_DIR / name, copy / name, ignore=ignore)
    shutil.copy(BASE_DIR / "manage.py", copy / "manage.py")
    result = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "zh_Hans", "--no-obsolete"],
        cwd=copy,
        capture_output=True,
        text=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"},
    )
    assert result.returncode == 0, result.stderr
    fresh = {(e["msgctxt"], e["msgid"]) for e in parse_po(copy / PO_FILE.relative_to(BASE_DIR))}
    committed = {(e["msgctxt"], e["msgid"]) for e in catalogue()}
    missing = sorted(fresh - committed - {(None, "")}, key=str)
    assert missing == [], "run makemessages -l zh_Hans and translate the new entries"


# --- (e) pages in 简体中文 ----------------------------------------------------------------------

#  English words a page may show in Chinese: names of languages, product names, data codes.
ENGLISH_ALLOWED = {"English", "SLA", "UTC", "Django", "VPN", "Ctrl", "Mac", "Command", "Control"}
# Technical names kept in Chinese interfaces, as SLA is: a webhook and what it sends.
ENGLISH_ALLOWED |= {"Webhook", "URL", "JSON", "POST", "HTTP", "HMAC", "SHA", "ID", "AND", "OR"}
# A pattern's words ("1 and (2 or 3)") are its syntax, the same in every language.
ENGLISH_ALLOWED |= {"and", "or"}
# The API's names: REST API, and the kind of system that uses it.
ENGLISH_ALLOWED |= {"API", "REST", "CRM"}
# Code a page shows as it is written: an email template's placeholders, addresses, and the header
# that carries an API token.
CODE = re.compile(
    r"\{[a-z_]+\.[a-z_]+\}|https?://\S+|Authorization: Bearer (?:<|&lt;)token(?:>|&gt;)"
)
#  Words of the interface; none may survive the switch, whatever the data.
ENGLISH_UI_WORDS = [
    "Tickets",
    "Ticket",
    "Contracts",
    "Contract",
    "Support plan",
    "Support plans",
    "Status",
    "Priority",
    "Save",
    "Sign out",
    "Account",
    "Customers",
    "Department",
    "Credit",
    "Credits",
    "Edit",
    "New",
    "Filter",
    "Name",
    "History",
    "Delete",
    "Active",
    "Unlimited",
    "Ticket-based",
    "Monthly",
    "Settings",
    "Search",
    "None",
]


class PageText(HTMLParser):
    """The text of a page a user reads or hears: element text and labelling attributes."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in {"script", "style", "template"}:
            self.hidden += 1
        attrs = dict(attrs)
        if tag == "img" and "/admin/img/" in (attrs.get("src") or ""):
            return  # Django's own icons: alt="Search", alt="True" are not ours to translate
        for name in VISIBLE_ATTRIBUTES:
            if attrs.get(name):
                self.texts.append(attrs[name])
        if tag == "input" and attrs.get("type") in {"submit", "button", "reset"}:
            self.texts.append(attrs.get("value") or "")

    def handle_endtag(self, tag):
        if tag in {"script", "style", "template"}:
            self.hidden = max(0, self.hidden - 1)

    def handle_data(self, data):
        if not self.hidden and data.strip():
            self.texts.append(data.strip())


def page_text(content: str) -> str:
    parser = PageText()
    parser.feed(content)
    parser.close()
    return "\n".join(parser.texts)


def data_values() -> list[str]:
    """Every text the demo desk holds, longest first, so that it can be taken out of a page."""
    from django.apps import apps
    from django.db import models

    values = set()
    for app in [*APPS, "auth"]:
        for model in apps.get_app_config(app).get_models():
            fields = [
                f.attname
                for f in model._meta.concrete_fields
                if isinstance(f, models.CharField | models.TextField | models.EmailField)
                and not f.choices
            ]
            for row in model.objects.values_list(*fields):
                values.update(str(v) for v in row if v)
    values.update(zoneinfo.available_timezones())  # time zone choices are names, not words
    values.update({"localtime", "Factory"})
    return sorted(values, key=len, reverse=True)


@pytest.fixture(autouse=True)
def _english_afterwards():
    """Requests activate the user's language in this thread and leave it on: reset it."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def chinese_desk(client, db):
    call_command("load_demo_data", "--language", "zh-hans", stdout=io.StringIO())
    admin = get_user_model().objects.get(username="admin")
    Preferences.objects.filter(user=admin).update(language="")  # the switch does it below
    client.force_login(admin)
    response = client.post(reverse("set_language"), {"language": "zh-hans", "next": "/tickets/"})
    assert response.status_code == 302
    return client


def chinese_pages() -> list[str]:
    ticket = Ticket.objects.order_by("pk").first()
    covered = Ticket.objects.filter(contract__isnull=False).order_by("pk").first()
    uncovered = Ticket.objects.filter(contract__isnull=True).order_by("pk").first()
    in_use = SupportPlan.objects.filter(contracts__isnull=False).order_by("pk").first()
    contract = Contract.objects.order_by("pk").first()
    sla = SLA.objects.order_by("pk").first()
    plan = SupportPlan.objects.filter(credit_limit__isnull=False).order_by("pk").first()
    account = Account.objects.order_by("pk").first()
    return [
        "/tickets/",
        "/tickets/new/",
        ticket.get_absolute_url(),
        *[t.get_absolute_url() for t in (covered, uncovered) if t is not None],
        "/customers/",
        f"/customers/{account.pk}/",
        "/contracts/",
        "/contracts/new/",
        f"/contracts/{contract.pk}/",
        f"/contracts/{contract.pk}/edit/",
        "/settings/",
        "/settings/automation/slas/",
        "/settings/automation/slas/new/",
        f"/settings/automation/slas/{sla.pk}/",
        f"/settings/automation/slas/{sla.pk}/edit/",
        "/settings/automation/slas/holiday-lists/",
        f"/settings/automation/slas/holiday-lists/{HolidayList.objects.get().pk}/",
        f"/settings/automation/slas/holiday-lists/{HolidayList.objects.get().pk}/edit/",
        f"/search/?q={ticket.subject[:2]}",
        "/",
        "/settings/automation/support-plans/",
        "/settings/automation/support-plans/new/",
        f"/settings/automation/support-plans/{plan.pk}/",
        f"/settings/automation/support-plans/{plan.pk}/edit/",
        f"/settings/automation/support-plans/{in_use.pk}/delete/",
        "/settings/customization/modules/",
        "/accounts/preferences/",
        "/admin/",
        "/admin/contracts/contract/",
        "/admin/plans/supportplan/",
        "/admin/tickets/ticket/",
        f"/admin/contracts/contract/{contract.pk}/change/",
        f"/admin/plans/supportplan/{plan.pk}/change/",
        "/admin/sla/sla/",
        f"/admin/sla/sla/{sla.pk}/change/",
        "/admin/customers/account/",
        "/admin/desk/department/",
        f"/admin/tickets/ticket/{ticket.pk}/change/",
        "/admin/contracts/creditentry/",
        # Settings > Automation (issues 18 and 19) and My tasks.
        "/settings/automation/workflow-rules/",
        "/settings/automation/workflow-rules/new/?module=tickets",
        "/settings/automation/workflow-rules/new/?module=contracts",
        *[
            f"{rule.get_absolute_url()}?record={ticket.pk}"
            for rule in Rule.objects.filter(module="tickets").order_by("pk")
        ],
        *[f"{rule.get_absolute_url()}edit/" for rule in Rule.objects.order_by("pk")],
        "/settings/automation/time-based-rules/",
        "/settings/automation/time-based-rules/new/",
        "/settings/automation/email-templates/",
        "/settings/automation/email-templates/new/",
        "/tasks/",
        "/admin/automation/rule/",
        "/admin/automation/task/",
        "/admin/automation/firing/",
    ]


def english_left(content: str, data: list[str]) -> tuple[list[str], list[str]]:
    """(UI words found, other English words found) in a page's text once data is taken out."""
    text = CODE.sub(" ", page_text(content))
    for value in data:
        text = text.replace(value, " ")
    ui_words = [
        w for w in ENGLISH_UI_WORDS if re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", text)
    ]
    words = sorted(
        {
            w
            for w in re.findall(r"[A-Za-z]{2,}", text)
            if w not in ENGLISH_ALLOWED and not re.search(r"[@.]", w)
        }
    )
    return ui_words, words


def test_every_page_reads_in_chinese_after_the_switch(chinese_desk):
    data, english = data_values(), []
    for path in chinese_pages():
        response = chinese_desk.get(path)
        assert response.status_code == 200, path
        content = response.content.decode()
        assert '<html lang="zh-hans"' in content or 'lang="zh-hans"' in content, path
        text = page_text(content)
        assert re.search(r"[\u4e00-\u9fff]", text), path
        ui_words, words = english_left(content, data)
        if ui_words or words:
            english.append((path, ui_words, words))
    assert english == []


def test_every_help_centre_page_reads_in_chinese_after_the_switch(chinese_desk):
    """The demo's invited customer, switching to Chinese, reads the help centre in Chinese."""
    contact = Contact.objects.filter(user__isnull=False, is_account_admin=True).get()
    client = Client()
    client.force_login(contact.user)
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/help/"})
    ticket = Ticket.objects.filter(account=contact.account, replies__isnull=False).first()
    contract = Contract.objects.filter(account=contact.account, end_date=None).get()
    data, english = data_values(), []
    for path in [
        "/help/",
        "/help/tickets/",
        "/help/tickets/new/",
        f"/help/tickets/{ticket.pk}/",
        f"/help/contracts/{contract.pk}/",
    ]:
        response = client.get(path)
        assert response.status_code == 200, path
        text = page_text(response.content.decode())
        assert re.search(r"[\u4e00-\u9fff]", text), path
        ui_words, words = english_left(response.content.decode(), data)
        if ui_words or words:
            english.append((path, ui_words, words))
    assert english == []


def test_the_pages_speak_the_articles_words(chinese_desk):
    plan = SupportPlan.objects.filter(credit_limit__isnull=False).order_by("pk").first()
    text = page_text(chinese_desk.get("/settings/automation/support-plans/new/").content.decode())
    for term in ["技术支持计划", "计划类型", "信用点数周期", "信用点数限制", "无限", "基于工单"]:
        assert term in text
    text = page_text(chinese_desk.get("/contracts/new/").content.decode())
    for term in ["合同所有者", "合同名称", "合同号", "产品名称", "合同到期通知"]:
        assert term in text
    assert "工单" in page_text(chinese_desk.get("/tickets/").content.decode())
    detail = page_text(chinese_desk.get(plan.get_absolute_url()).content.decode())
    assert f"{plan.credit_limit} 个工单/月" in detail


def test_the_english_desk_stays_english(client, db):
    call_command("load_demo_data", stdout=io.StringIO())
    client.force_login(get_user_model().objects.get(username="admin"))
    text = page_text(client.get("/tickets/").content.decode())
    assert "Tickets" in text and "工单" not in text
    assert Account.objects.filter(name="Amber Motors").exists()
    assert not Preferences.objects.exists()


def test_the_demo_desk_can_be_filled_in_chinese(db):
    out = io.StringIO()
    call_command("load_demo_data", "--language", "zh-hans", stdout=out)
    assert "Demo data loaded." in out.getvalue()
    assert Account.objects.filter(name="Amber汽车").exists()
    assert SLA.objects.filter(name="标准支持").exists()
    assert SupportPlan.objects.filter(name="高级版（无限）").exists()
    assert Ticket.objects.filter(subject="无法登录门户网站").exists()
    assert Contract.objects.filter(name="Amber汽车服务与支持合同").exists()
    assert Contract.objects.filter(name="Amber汽车客户支持与服务合同", end_date=None).exists()
    assert set(Preferences.objects.values_list("user__username", "language")) == {
        ("admin", "zh-hans"),
        ("agent", "zh-hans"),
        ("manager", "zh-hans"),
    }


def test_an_email_notice_reads_in_chinese_when_sent_in_chinese(db):
    with translation.override("zh-hans"):
        assert str(Contract.Status.ACTIVE.label) == "生效中"
        assert str(SupportPlan.PlanType.TICKET_BASED.label) == "基于工单"


def test_the_sign_in_page_follows_the_browsers_language(client, db):
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9,en;q=0.5")
    text = page_text(response.content.decode())
    assert "登录" in text
    assert english_left(response.content.decode(), []) == ([], [])


def test_validation_errors_read_in_chinese(chinese_desk):
    sla = SLA.objects.order_by("pk").first()
    response = chinese_desk.post(
        "/settings/automation/support-plans/new/",
        {
            "name": "测试计划",
            "department": sla.department_id,
            "plan_type": "ticket_based",
            "credit_cycle": "",
            "credit_limit": "",
            "sla": sla.pk,
        },
    )
    assert response.status_code == 200
    text = page_text(response.content.decode())
    assert "基于工单的计划需要信用点数周期。" in text
    assert not SupportPlan.objects.filter(name="测试计划").exists()
