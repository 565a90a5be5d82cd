from django.urls import path

from records.views import exports, history, visits

app_name = "records"

urlpatterns = [
    path("my/", history.my_history, name="my-history"),
    path("my/history.csv", exports.my_history_csv, name="my-history-csv"),
    path("my/history.pdf", exports.my_history_pdf, name="my-history-pdf"),
    path("my/record.fhir.json", exports.my_history_fhir, name="my-history-fhir"),
    path("my-patients/", history.my_patients, name="my-patients"),
    path("all/", history.record_list, name="record-list"),
    path("access-log/", history.access_log, name="access-log"),
    path("patients/<int:patient_pk>/", history.patient_history, name="patient-history"),
    path("patients/<int:patient_pk>/history.csv", exports.history_csv, name="history-csv"),
    path("patients/<int:patient_pk>/history.pdf", exports.history_pdf, name="history-pdf"),
    path("patients/<int:patient_pk>/record.fhir.json", exports.history_fhir, name="history-fhir"),
    path(
        "appointments/<int:appointment_pk>/complete/",
        visits.complete_visit,
        name="complete-visit",
    ),
    path("patients/<int:patient_pk>/exports/", exports.export_start, name="export-start"),
    path(
        "patients/<int:patient_pk>/exports/fhir/",
        exports.fhir_export_start,
        name="fhir-export-start",
    ),
    path("patients/<int:patient_pk>/email/", exports.email_records, name="email-records"),
    path("exports/<int:pk>/", exports.export_detail, name="export-detail"),
    path("exports/<int:pk>/download/", exports.export_download, name="export-download"),
    path("<int:pk>/", visits.record_detail, name="record-detail"),
    path("<int:pk>/edit/", visits.record_edit, name="record-edit"),
    path("<int:pk>/versions/", visits.record_versions, name="record-versions"),
    path("<int:pk>/prescription.pdf", exports.prescription_pdf, name="prescription-pdf"),
]
