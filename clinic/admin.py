"""Django admin for superusers. Staff work happens in the HMS pages; this is for support."""

from django.contrib import admin
from django.db import transaction

from clinic.models import Department, Doctor, Patient
from clinic.selectors import directory_cache_bust


class BustDirectoryCacheMixin:
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        transaction.on_commit(directory_cache_bust)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        transaction.on_commit(directory_cache_bust)


@admin.register(Department)
class DepartmentAdmin(BustDirectoryCacheMixin, admin.ModelAdmin):
    list_display = ["name", "is_active", "doctor_count", "updated"]
    list_filter = ["is_active"]
    search_fields = ["name", "description"]

    def get_queryset(self, request):
        return super().get_queryset(request).with_doctor_counts()

    @admin.display(ordering="doctor_count", description="Doctors")
    def doctor_count(self, obj):
        return obj.doctor_count


@admin.register(Doctor)
class DoctorAdmin(BustDirectoryCacheMixin, admin.ModelAdmin):
    list_display = ["__str__", "user_email", "department", "status", "removed_at", "updated"]
    list_filter = ["status", "department", ("removed_at", admin.EmptyFieldListFilter)]
    search_fields = ["user__first_name", "user__last_name", "user__email", "specialization"]
    list_select_related = ["user", "department"]
    raw_id_fields = ["user"]
    readonly_fields = ["removed_at", "created", "updated"]

    @admin.display(ordering="user__email", description="E-mail")
    def user_email(self, obj):
        return obj.user.email

    def has_delete_permission(self, request, obj=None):
        # Medical data is never deleted: remove doctors from the HMS pages (soft delete).
        return False


@admin.register(Patient)
class PatientAdmin(admin.ModelAdmin):
    list_display = ["__str__", "user_email", "gender", "date_of_birth", "phone", "is_active"]
    list_filter = ["is_active", "gender", "blood_group", "has_disability"]
    search_fields = ["user__first_name", "user__last_name", "user__email", "phone"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    readonly_fields = ["created", "updated"]

    @admin.display(ordering="user__email", description="E-mail")
    def user_email(self, obj):
        return obj.user.email

    def has_delete_permission(self, request, obj=None):
        return False
