from django.urls import path

from scheduling import views, views_availability

app_name = "scheduling"

urlpatterns = [
    path("book/<int:doctor_pk>/", views.book, name="book"),
    path("doctors/<int:doctor_pk>/next-slot/", views.next_slot, name="next-slot"),
    path("my/", views.my_appointments, name="my-appointments"),
    path("today/", views.doctor_day, name="doctor-day"),
    path("week/", views.doctor_week, name="doctor-week"),
    path("appointments/", views.appointment_list, name="appointment-list"),
    path("appointments/cancel/", views.appointment_bulk_cancel, name="appointment-bulk-cancel"),
    path("appointments/<int:pk>/", views.appointment_detail, name="appointment-detail"),
    path("appointments/<int:pk>/cancel/", views.appointment_cancel, name="appointment-cancel"),
    path("appointments/<int:pk>/reschedule/", views.reschedule, name="reschedule"),
    path(
        "appointments/<int:pk>/<slug:action>/",
        views.appointment_action,
        name="appointment-action",
    ),
    path("availability/", views_availability.availability, name="availability"),
    path("availability/leave/", views_availability.leave_add, name="leave-add"),
    path(
        "availability/leave/<int:pk>/delete/",
        views_availability.leave_delete,
        name="leave-delete",
    ),
    path("availability/slots/", views_availability.slot_grid, name="slot-grid"),
    path("availability/slots/toggle/", views_availability.slot_toggle, name="slot-toggle"),
    path("holidays/", views_availability.holidays, name="holidays"),
    path("holidays/<int:pk>/delete/", views_availability.holiday_delete, name="holiday-delete"),
]
