from django.urls import path

from scheduling.views import (
    appointments,
    availability,
    booking,
    feeds,
    queue,
    schedule,
    waitlist,
)

app_name = "scheduling"

urlpatterns = [
    path("book/<int:doctor_pk>/", booking.book, name="book"),
    path("doctors/<int:doctor_pk>/next-slot/", booking.next_slot, name="next-slot"),
    path("my/", appointments.my_appointments, name="my-appointments"),
    path("today/", schedule.doctor_day, name="doctor-day"),
    path("week/", schedule.doctor_week, name="doctor-week"),
    path("queue/", queue.queue, name="queue"),
    path("queue/book/", queue.queue_book_first, name="queue-book-first"),
    path("queue/book/<int:doctor_pk>/", queue.queue_book, name="queue-book"),
    path("appointments/", appointments.appointment_list, name="appointment-list"),
    path(
        "appointments/cancel/",
        appointments.appointment_bulk_cancel,
        name="appointment-bulk-cancel",
    ),
    path("appointments/<int:pk>/", appointments.appointment_detail, name="appointment-detail"),
    path(
        "appointments/<int:pk>/calendar.ics",
        appointments.appointment_ics,
        name="appointment-ics",
    ),
    path(
        "appointments/<int:pk>/cancel/",
        appointments.appointment_cancel,
        name="appointment-cancel",
    ),
    path("appointments/<int:pk>/reschedule/", booking.reschedule, name="reschedule"),
    path(
        "appointments/<int:pk>/<slug:action>/",
        appointments.appointment_action,
        name="appointment-action",
    ),
    path("availability/", availability.availability, name="availability"),
    path("availability/leave/", availability.leave_add, name="leave-add"),
    path("availability/leave/<int:pk>/delete/", availability.leave_delete, name="leave-delete"),
    path("availability/slots/", availability.slot_grid, name="slot-grid"),
    path("availability/slots/toggle/", availability.slot_toggle, name="slot-toggle"),
    path("waitlist/", waitlist.waitlist, name="waitlist"),
    path("waitlist/join/", waitlist.waitlist_join, name="waitlist-join"),
    path("waitlist/<int:pk>/leave/", waitlist.waitlist_leave, name="waitlist-leave"),
    path("waitlist/offers/<slug:token>/", waitlist.waitlist_offer, name="waitlist-offer"),
    path(
        "waitlist/offers/<slug:token>/<slug:action>/",
        waitlist.waitlist_offer_answer,
        name="waitlist-offer-answer",
    ),
    path("calendar-feed/", feeds.calendar_feed, name="calendar-feed"),
    path("calendar-feed/on/", feeds.calendar_feed_enable, name="calendar-feed-enable"),
    path("calendar-feed/new/", feeds.calendar_feed_regenerate, name="calendar-feed-regenerate"),
    path("calendar-feed/off/", feeds.calendar_feed_revoke, name="calendar-feed-revoke"),
    path("calendar-feed/options/", feeds.calendar_feed_options, name="calendar-feed-options"),
    path("feeds/<slug:token>.ics", feeds.calendar_feed_ics, name="calendar-feed-ics"),
    path("holidays/", availability.holidays, name="holidays"),
    path("holidays/<int:pk>/delete/", availability.holiday_delete, name="holiday-delete"),
]
