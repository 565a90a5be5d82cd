from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/hospital/", views.hospital_dashboard, name="hospital-dashboard"),
    path("dashboard/doctor/", views.doctor_dashboard, name="doctor-dashboard"),
    path("dashboard/patient/", views.patient_dashboard, name="patient-dashboard"),
    path("reports/analytics/", views.analytics, name="analytics"),
    path("reports/exports/", views.report_exports, name="report-exports"),
    path("reports/monthly/", views.monthly_report, name="monthly-report"),
    path(
        "reports/monthly/hospital/", views.hospital_monthly_report, name="hospital-monthly-report"
    ),
    path("reports/monthly/<int:doctor_pk>/", views.monthly_report, name="doctor-monthly-report"),
]
