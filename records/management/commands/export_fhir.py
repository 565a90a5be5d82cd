from django.core.management.base import BaseCommand, CommandError

from clinic.models import Patient
from records.audit import audit_command
from records.exports import history_fhir_chunks


class Command(BaseCommand):
    help = (
        "Write one patient's record as a FHIR R4 Bundle (type 'collection', JSON) to a file or "
        "stdout: Patient, Practitioner/PractitionerRole, an Encounter per visit with its "
        "Condition, vital-sign Observations and MedicationRequests, and AllergyIntolerance. "
        "Read-only; written to the access log like a download from the history page."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--patient", type=int, required=True, metavar="ID",
            help="The patient's id (the number in /records/patients/ID/).",
        )  # fmt: skip
        parser.add_argument(
            "--output", "-o", metavar="FILE", help="File to write (default: stdout)."
        )

    def handle(self, *args, patient, output=None, **options):
        found = Patient.objects.with_related().filter(pk=patient).first()
        if found is None:
            raise CommandError(
                f"There is no patient with id {patient}. The id is the number in the address of "
                "the patient's history page (/records/patients/ID/)."
            )
        audit_command("export_fhir", patient=found, object_type="export_fhir",
                      object_id=found.pk, action="export")  # fmt: skip
        if output:
            with open(output, "w", encoding="utf-8") as handle:
                for chunk in history_fhir_chunks(found):
                    handle.write(chunk)
        else:
            for chunk in history_fhir_chunks(found):
                self.stdout.write(chunk, ending="")
        visits = found.visit_records.count()
        if output:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Wrote the FHIR record of {found} ({visits} visits) to {output}."
                )
            )
        else:
            self.stderr.write(f"FHIR record of {found}: {visits} visits.")
