from django.urls import path

from clinic import views

app_name = "clinic"

urlpatterns = [
    # Patient-facing directory
    path("doctors/", views.directory, name="directory"),
    path("doctors/<int:pk>/", views.directory_doctor, name="directory-doctor"),
    path("doctors/<int:pk>/photo/", views.doctor_photo, name="doctor-photo"),
    # Own profile
    path("profile/", views.my_profile, name="my-profile"),
    # Staff: departments
    path("departments/", views.department_list, name="department-list"),
    path("departments/new/", views.department_create, name="department-create"),
    path("departments/<int:pk>/edit/", views.department_edit, name="department-edit"),
    path("departments/<int:pk>/toggle/", views.department_toggle, name="department-toggle"),
    path("departments/<int:pk>/delete/", views.department_delete, name="department-delete"),
    # Staff: doctors
    path("staff/doctors/", views.doctor_list, name="doctor-list"),
    path("staff/doctors/new/", views.doctor_create, name="doctor-create"),
    path("staff/doctors/<int:pk>/", views.doctor_detail, name="doctor-detail"),
    path("staff/doctors/<int:pk>/edit/", views.doctor_edit, name="doctor-edit"),
    path("staff/doctors/<int:pk>/<slug:action>/", views.doctor_action, name="doctor-action"),
    # Staff: patients
    path("staff/patients/", views.patient_list, name="patient-list"),
    path("staff/patients/new/", views.patient_create, name="patient-create"),
    path("staff/patients/<int:pk>/", views.patient_detail, name="patient-detail"),
    path("staff/patients/<int:pk>/edit/", views.patient_edit, name="patient-edit"),
    path("staff/patients/<int:pk>/toggle/", views.patient_toggle, name="patient-toggle"),
    path("staff/patients/<int:pk>/email/", views.patient_add_email, name="patient-email"),
]
