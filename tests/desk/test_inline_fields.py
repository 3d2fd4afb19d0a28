"""The compact fields of the filter bars and the ticket page's update form (``inline_field``)."""

from django import forms
from django.template import Context, Template

from desk.templatetags.fields import inline_field

DRAW = Template("{% load fields %}{% for field in form %}{% inline_field field %}{% endfor %}")


class Sample(forms.Form):
    status = forms.ChoiceField(
        label="Status <b>", choices=[("", "Any"), ("open", "Open & new"), ('x"y', "Quoted")]
    )
    count = forms.IntegerField(label="Count", min_value=1, max_value=9)
    contract = forms.ChoiceField(
        label="Contract",
        choices=[("", "None"), ("7", "AC-7")],
        disabled=True,
        help_text="Fixed once a credit is spent.",
    )
    note = forms.CharField(label="Note", required=False)


def draw(form) -> str:
    return DRAW.render(Context({"form": form}))


def test_a_select_marks_the_chosen_value_and_escapes_labels_and_values():
    html = draw(Sample(data={"status": "open", "count": "3"}))
    assert '<label for="id_status" class="form-label small mb-0">Status &lt;b&gt;</label>' in html
    assert '<select name="status" id="id_status" class="form-select form-select-sm">' in html
    assert '<option value="">Any</option>' in html
    assert '<option value="open" selected>Open &amp; new</option>' in html
    assert '<option value="x&quot;y">Quoted</option>' in html
    assert html.count(" selected") == 2  # and the contract, with no value, on its empty option
    assert '<option value="" selected>None</option>' in html


def test_an_input_keeps_its_type_value_and_bounds():
    html = draw(Sample(data={"status": "", "count": "3", "note": "<i>hi</i>"}))
    assert (
        '<input type="number" name="count" id="id_count" value="3" min="1" max="9" '
        'class="form-control form-control-sm">' in html
    )
    assert 'value="&lt;i&gt;hi&lt;/i&gt;"' in html


def test_a_disabled_field_says_why_and_an_invalid_one_shows_its_error():
    form = Sample(data={"status": "nope", "count": "30"}, initial={"contract": "7"})
    html = draw(form)
    assert (
        '<select name="contract" id="id_contract" class="form-select form-select-sm" disabled '
        'aria-describedby="id_contract_help">' in html
    )
    assert '<option value="7" selected>AC-7</option>' in html
    assert (
        '<div class="form-text small" id="id_contract_help">Fixed once a credit is spent.' in html
    )
    assert (
        'class="form-select form-select-sm is-invalid" aria-describedby="id_status_error">' in html
    )
    assert '<div class="invalid-feedback" id="id_status_error">Select a valid choice.' in html
    assert 'aria-describedby="id_count_error"' in html and "less than or equal to 9" in html


def test_a_field_compared_on_save_carries_the_value_it_was_drawn_with():
    form = Sample(initial={"status": "open"})
    form.fields["status"].show_hidden_initial = True
    html = inline_field(form["status"])
    assert '<input type="hidden" name="initial-status" value="open">' in html
    assert html.startswith('<div class="col-auto"><label for="id_status"')
