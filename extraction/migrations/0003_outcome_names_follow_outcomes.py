"""Stored outcome names that differ from an outcome of the protocol only in case or spacing (written
before names were carried on rename) take the outcome's name, so analyses find their rows again.
A name that matches no outcome is left exactly as it is: nothing is lost, and the extraction page
lists such names for the lead (rename an outcome to one, or correct the rows)."""
from django.db import migrations

from extraction import outcome_names as names
from extraction.appraisal import tools


def forwards(apps, schema_editor):
    Outcome = apps.get_model("reviewapp", "Outcome")
    Extraction = apps.get_model("extraction", "Extraction")
    canonical: dict[int, dict[str, str]] = {}
    for review_id, name in Outcome.objects.values_list("review_id", "name"):
        canonical.setdefault(review_id, {})[names.name_key(name)] = name
    for extraction in Extraction.objects.select_related("version").iterator():
        known = canonical.get(extraction.review_id, {})

        def change(name, known=known):
            return known.get(names.name_key(name))

        definition = extraction.version.definition
        fields = []
        if extraction.consensus is not None and names.rename_in_answers(definition, extraction.consensus, change):
            fields.append("consensus")
        outcome, effect = tools.target_parse(extraction.target)
        if extraction.target and change(outcome) not in (None, outcome):
            target = tools.target_make(change(outcome), effect)
            # Two appraisals of one result under two spellings: the second keeps its spelling (listed).
            if not Extraction.objects.filter(template_id=extraction.template_id, study_id=extraction.study_id,
                                             target=target).exists():
                extraction.target = target
                fields.append("target")
        if fields:
            extraction.save(update_fields=fields)
        for entry in extraction.entries.select_related("version"):
            changed = names.rename_in_answers(entry.version.definition, entry.answers, change)
            changed += names.rename_in_draft(entry.version.definition, entry.draft, change)
            if changed:
                entry.save(update_fields=["answers", "draft"])
        for settlement in extraction.settlements.all():
            if names.is_outcome_path(definition, settlement.path):
                settlement.value, n = names.changed(settlement.value, change)
                if n:
                    settlement.save(update_fields=["value"])


class Migration(migrations.Migration):

    dependencies = [
        ("extraction", "0002_appraisal_tools"),
        ("reviewapp", "0005_archive_export"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
