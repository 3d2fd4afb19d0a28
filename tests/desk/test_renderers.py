"""Forms drawn by ``desk.renderers.WidgetRenderer``: widgets by Django's Jinja2 templates, the
rest (and the admin's own widgets) by the Django template language."""

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import ForeignKeyRawIdWidget
from django.forms.renderers import get_default_renderer

from desk.renderers import WidgetRenderer
from tickets.models import Ticket


class Form(forms.Form):
    choice = forms.ChoiceField(choices=[("a", "The desk's <own>"), ("b", "B & C")])
    note = forms.CharField(max_length=3)


def test_the_desk_draws_its_forms_with_it():
    assert isinstance(get_default_renderer(), WidgetRenderer)


def test_a_drop_down_is_drawn_by_jinja2_with_its_labels_escaped_and_choice_kept():
    html = str(Form(data={"choice": "b", "note": "toolong"})["choice"])
    assert [line.strip() for line in html.splitlines() if line.strip()] == [
        '<select name="choice" id="id_choice">',
        '<option value="a">The desk&#39;s &lt;own&gt;</option>',
        '<option value="b" selected>B &amp; C</option>',
        "</select>",
    ]
    template = WidgetRenderer().get_template("django/forms/widgets/select.html")
    assert type(template).__module__ == "django.template.backends.jinja2"


def test_error_messages_and_admin_widgets_keep_the_django_templates():
    form = Form(data={"choice": "a", "note": "toolong"})
    assert "Ensure this value has at most 3 characters (it has 7)." in str(form.errors["note"])
    renderer = WidgetRenderer()
    assert type(renderer.get_template("django/forms/errors/list/ul.html")).__module__ == (
        "django.template.backends.django"
    )
    widget = ForeignKeyRawIdWidget(Ticket._meta.get_field("account").remote_field, admin.site)
    assert 'class="vForeignKeyRawIdAdminField"' in widget.render("account", None, renderer=renderer)
