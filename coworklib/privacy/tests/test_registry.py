"""The personal-data registry covers every field of every model, so later features cannot forget privacy."""

from django.apps import apps

from coworklib.privacy.registry import classification_of, declarations, field_names


def test_every_field_of_every_model_is_classified_as_personal_or_not() -> None:
    missing = {}
    for model in apps.get_models():
        classification = classification_of(model)
        if classification is None:
            missing[model._meta.label] = sorted(field_names(model))
            continue
        unclassified = field_names(model) - classification.personal - classification.not_personal
        if unclassified:
            missing[model._meta.label] = sorted(unclassified)
    assert missing == {}, (
        "Declare these fields in the app's privacy.py (coworklib/privacy/registry.py says how): " + repr(missing)
    )


def test_no_field_is_classified_both_ways_or_by_a_name_the_model_does_not_have() -> None:
    problems = []
    for declaration in declarations():
        for item in declaration.models:
            both = item.personal & item.not_personal
            unknown = (item.personal | item.not_personal) - field_names(item.model)
            if both or unknown:
                problems.append((item.model._meta.label, sorted(both), sorted(unknown)))
    assert problems == []


def test_every_app_with_personal_data_has_an_exporter_and_an_eraser() -> None:
    for declaration in declarations():
        if any(item.personal for item in declaration.models):
            assert declaration.exporter is not None and declaration.eraser is not None, declaration.label


def test_the_account_row_is_erased_last() -> None:
    # The other erasers still need the e-mail address and names they scrub.
    assert declarations()[-1].label == "accounts"
