from django.urls import path

from records import views

app_name = "records"

urlpatterns = [
    path("my/", views.my_history, name="my-history"),
    path("my/history.csv", views.my_history_csv, name="my-history-csv"),
    path("my/history.pdf", views.my_history_pdf, name="my-history-pdf"),
    path("my-patients/", views.my_patients, name="my-patients"),
    path("all/", views.record_list, name="record-list"),
    path("access-log/", views.access_log, name="access-log"),
    path("patients/<int:patient_pk>/", views.patient_history, name="patient-history"),
    path("patients/<int:patient_pk>/history.csv", views.history_csv, name="history-csv"),
    path("patients/<int:patient_pk>/history.pdf", views.history_pdf, name="history-pdf"),
    path(
        "appointments/<int:appointment_pk>/complete/",
        views.complete_visit,
        name="complete-visit",
    ),
    path("patients/<int:patient_pk>/exports/", views.export_start, name="export-start"),
    path("patients/<int:patient_pk>/email/", views.email_records, name="email-records"),
    path("exports/<int:pk>/", views.export_detail, name="export-detail"),
    path("exports/<int:pk>/download/", views.export_download, name="export-download"),
    path("<int:pk>/", views.record_detail, name="record-detail"),
    path("<int:pk>/edit/", views.record_edit, name="record-edit"),
    path("<int:pk>/versions/", views.record_versions, name="record-versions"),
    path("<int:pk>/prescription.pdf", views.prescription_pdf, name="prescription-pdf"),
]
