from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.access import int_param, require_permission
from clinic import access, confirmations, forms, selectors, services
from clinic.filters import DoctorFilter, PatientFilter
from clinic.models import Doctor, Patient
from clinic.signals import patient_data_accessed
from hms.lib.confirm import confirm_page
from hms.lib.paging import paginate

PAGE_SIZE = 25


def _page(request: HttpRequest, items, per_page: int = PAGE_SIZE):
    return paginate(items, per_page, request.GET.get("page"))


def _audit(request: HttpRequest, patient: Patient, action: str) -> None:
    patient_data_accessed.send(
        sender=Patient, request=request, patient=patient, action=action, obj=patient
    )


# --- Departments (hospital admins) ----------------------------------------------------------


@require_safe
@require_permission("clinic.change_department")
def department_list(request: HttpRequest) -> HttpResponse:
    return render(request, "clinic/department_list.html", {"rows": selectors.department_rows()})


@require_permission("clinic.add_department")
def department_create(request: HttpRequest) -> HttpResponse:
    form = forms.DepartmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        department = services.department_save(department=form.instance)
        messages.success(request, f"Department “{department.name}” created.")
        return redirect("clinic:department-list")
    return render(request, "clinic/department_form.html", {"form": form})


@require_permission("clinic.change_department")
def department_edit(request: HttpRequest, pk: int) -> HttpResponse:
    department = access.get_department_for_user(request.user, pk)
    form = forms.DepartmentForm(request.POST or None, instance=department)
    if request.method == "POST" and form.is_valid():
        services.department_save(department=form.instance)
        messages.success(request, f"Department “{department.name}” saved.")
        return redirect("clinic:department-list")
    return render(request, "clinic/department_form.html", {"form": form, "department": department})


@require_http_methods(["GET", "HEAD", "POST"])
@require_permission("clinic.change_department")
def department_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks (deactivating hides the department and its doctors); POST switches it."""
    department = access.get_department_for_user(request.user, pk)
    if request.method != "POST":
        return confirm_page(request, confirmations.department_toggle(department))
    services.department_set_active(department=department, active=not department.is_active)
    state = "activated" if department.is_active else "deactivated"
    messages.success(request, f"Department “{department.name}” {state}.")
    return redirect("clinic:department-list")


@require_permission("clinic.delete_department")
def department_delete(request: HttpRequest, pk: int) -> HttpResponse:
    department = access.get_department_for_user(request.user, pk)
    if request.method == "POST":
        try:
            services.department_delete(department=department)
        except services.DepartmentInUse as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"Department “{department.name}” deleted.")
        return redirect("clinic:department-list")
    return confirm_page(request, confirmations.department_delete(department))


# --- Doctors (hospital admins) --------------------------------------------------------------


@require_safe
@require_permission("clinic.change_doctor")
def doctor_list(request: HttpRequest) -> HttpResponse:
    doctors = DoctorFilter(request.GET or None, queryset=Doctor.objects.with_related())
    page = _page(request, doctors.qs if doctors.is_bound else doctors.queryset.listed())
    return render(request, "clinic/doctor_list.html", {"filter": doctors, "page": page})


@require_permission("clinic.add_doctor")
def doctor_create(request: HttpRequest) -> HttpResponse:
    form = forms.DoctorCreateForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        doctor = services.doctor_create(
            email=form.cleaned_data["email"],
            first_name=form.cleaned_data["first_name"],
            last_name=form.cleaned_data["last_name"],
            profile=forms.profile_fields(form),
            approve=form.cleaned_data["approve"],
        )
        messages.success(
            request, f"{doctor.display_name} added. An invitation was sent to {doctor.user.email}."
        )
        return redirect("clinic:doctor-detail", pk=doctor.pk)
    return render(request, "clinic/doctor_form.html", {"form": form})


@require_safe
@require_permission("clinic.change_doctor")
def doctor_detail(request: HttpRequest, pk: int) -> HttpResponse:
    doctor = access.get_doctor_for_user(request.user, pk, write=True)
    actions = [a for a in ("approve", "block", "unblock", "remove") if doctor.can_transition(a)]
    return render(request, "clinic/doctor_detail.html", {"doctor": doctor, "actions": actions})


@require_permission("clinic.change_doctor")
def doctor_edit(request: HttpRequest, pk: int) -> HttpResponse:
    doctor = access.get_doctor_for_user(request.user, pk, write=True)
    initial = {"first_name": doctor.user.first_name, "last_name": doctor.user.last_name}
    form = forms.DoctorStaffForm(
        request.POST or None, request.FILES or None, instance=doctor, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        services.doctor_update(
            doctor=doctor, profile=forms.profile_fields(form), user_fields=forms.name_fields(form)
        )
        messages.success(request, f"{doctor.display_name} saved.")
        return redirect("clinic:doctor-detail", pk=doctor.pk)
    return render(request, "clinic/doctor_form.html", {"form": form, "doctor": doctor})


ACTION_TEXT = {
    "approve": ("Approve", "approved", "btn-success"),
    "block": ("Block", "blocked", "btn-warning"),
    "unblock": ("Unblock", "unblocked", "btn-success"),
    "remove": ("Remove", "removed", "btn-danger"),
}


@require_permission("clinic.change_doctor")
def doctor_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """GET: a confirmation page listing what the action affects; POST: do it."""
    if action not in ACTION_TEXT:
        raise Http404
    doctor = access.get_doctor_for_user(request.user, pk, write=True)
    if request.method == "POST":
        try:
            services.doctor_act(doctor=doctor, action=action, by=request.user)
        except services.InvalidTransition as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"{doctor.display_name} {ACTION_TEXT[action][1]}.")
        return redirect("clinic:doctor-detail", pk=doctor.pk)
    if not doctor.can_transition(action):
        messages.error(request, f"{doctor.display_name} cannot be {ACTION_TEXT[action][1]} now.")
        return redirect("clinic:doctor-detail", pk=doctor.pk)
    return confirm_page(request, confirmations.doctor_action(doctor, action, ACTION_TEXT[action]))


# --- Patients (hospital admins) -------------------------------------------------------------


@require_safe
@require_permission("clinic.change_patient")
def patient_list(request: HttpRequest) -> HttpResponse:
    patients = PatientFilter(request.GET or None, queryset=Patient.objects.with_related())
    page = _page(request, patients.qs)
    # The search box (htmx) gets the results alone; a history restore gets the whole page.
    partial = bool(
        request.headers.get("HX-Request") and not request.headers.get("HX-History-Restore-Request")
    )
    template = "clinic/partials/patient_results.html" if partial else "clinic/patient_list.html"
    context = {"filter": patients, "page": page, "partial": partial}
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_permission("clinic.add_patient")
def patient_create(request: HttpRequest) -> HttpResponse:
    form = forms.PatientCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        patient = services.patient_create(
            email=form.cleaned_data["email"],
            first_name=form.cleaned_data["first_name"],
            last_name=form.cleaned_data["last_name"],
            profile=forms.profile_fields(form),
        )
        _audit(request, patient, "create")
        if patient.user.email:
            sent = f"An invitation was sent to {patient.user.email}."
        else:
            sent = "No e-mail address: no login and no e-mail reminders until one is added."
        messages.success(request, f"{patient} registered. {sent}")
        return redirect("clinic:patient-detail", pk=patient.pk)
    return render(request, "clinic/patient_form.html", {"form": form})


@require_safe
@require_permission("clinic.view_patient")
def patient_detail(request: HttpRequest, pk: int) -> HttpResponse:
    patient = access.get_patient_for_user(request.user, pk)
    _audit(request, patient, "view")
    return _render_patient_detail(request, patient, forms.PatientEmailForm())


def _render_patient_detail(request, patient: Patient, email_form, status: int = 200):
    context = {
        "patient": patient,
        "changes": selectors.patient_profile_changes(patient),
        "email_form": email_form,
    }
    return render(request, "clinic/patient_detail.html", context, status=status)


@require_POST
@require_permission("clinic.change_patient")
def patient_add_email(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff add the first e-mail address of a walk-in: the invitation is sent, once."""
    patient = access.get_patient_for_user(request.user, pk, write=True)
    form = forms.PatientEmailForm(request.POST)
    if patient.user.email:
        messages.info(request, f"{patient} already has an e-mail address.")
        return redirect("clinic:patient-detail", pk=patient.pk)
    if not form.is_valid():
        return _render_patient_detail(request, patient, form, status=400)
    try:
        services.patient_add_email(patient=patient, email=form.cleaned_data["email"])
    except services.EmailAlreadySet as exc:
        messages.info(request, str(exc))
    else:
        _audit(request, patient, "change")
        messages.success(request, f"An invitation was sent to {patient.user.email}.")
    return redirect("clinic:patient-detail", pk=patient.pk)


@require_permission("clinic.change_patient")
def patient_edit(request: HttpRequest, pk: int) -> HttpResponse:
    patient = access.get_patient_for_user(request.user, pk, write=True)
    initial = {"first_name": patient.user.first_name, "last_name": patient.user.last_name}
    form = forms.PatientEditForm(request.POST or None, instance=patient, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.patient_update(
            patient=patient, profile=forms.profile_fields(form), user_fields=forms.name_fields(form)
        )
        _audit(request, patient, "change")
        messages.success(request, f"{patient} saved.")
        return redirect("clinic:patient-detail", pk=patient.pk)
    _audit(request, patient, "view")
    return render(request, "clinic/patient_form.html", {"form": form, "patient": patient})


@require_http_methods(["GET", "HEAD", "POST"])
@require_permission("clinic.change_patient")
def patient_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks (deactivating stops the patient signing in); POST switches the account."""
    patient = access.get_patient_for_user(request.user, pk, write=True)
    if request.method != "POST":
        return confirm_page(request, confirmations.patient_toggle(patient))
    services.patient_set_active(patient=patient, active=not patient.is_active)
    _audit(request, patient, "change")
    state = "reactivated" if patient.is_active else "deactivated (records are kept)"
    messages.success(request, f"{patient} {state}.")
    return redirect("clinic:patient-detail", pk=patient.pk)


# --- Own profile (doctors and patients) -----------------------------------------------------


def my_profile(request: HttpRequest) -> HttpResponse:
    """The signed-in doctor's or patient's own profile."""
    if request.user.has_perm("clinic.change_own_doctor_profile"):
        return _doctor_self_profile(request)
    if request.user.has_perm("clinic.change_own_patient_profile"):
        return _patient_self_profile(request)
    raise PermissionDenied


def _doctor_self_profile(request: HttpRequest) -> HttpResponse:
    doctor = access.get_own_doctor_profile(request.user)
    initial = {"first_name": doctor.user.first_name, "last_name": doctor.user.last_name}
    form = forms.DoctorSelfForm(
        request.POST or None, request.FILES or None, instance=doctor, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        services.doctor_update(
            doctor=doctor, profile=forms.profile_fields(form), user_fields=forms.name_fields(form)
        )
        messages.success(request, "Your profile was saved.")
        return redirect("clinic:my-profile")
    return render(request, "clinic/profile_doctor.html", {"form": form, "doctor": doctor})


def _patient_self_profile(request: HttpRequest) -> HttpResponse:
    patient = access.get_own_patient_profile(request.user)
    initial = {"first_name": patient.user.first_name, "last_name": patient.user.last_name}
    form = forms.PatientEditForm(request.POST or None, instance=patient, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.patient_update(
            patient=patient, profile=forms.profile_fields(form), user_fields=forms.name_fields(form)
        )
        _audit(request, patient, "change")
        messages.success(request, "Your profile was saved.")
        return redirect("clinic:my-profile")
    return render(request, "clinic/profile_patient.html", {"form": form, "patient": patient})


# --- Doctor directory (patients and staff) --------------------------------------------------


@require_safe
@require_permission("clinic.view_doctor")
def directory(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "")[:80]
    try:
        department_id = int(request.GET.get("department") or 0) or None
    except ValueError:
        department_id = None
    departments = selectors.directory_departments()
    current = next((d for d in departments if d["pk"] == department_id), None)
    doctors = selectors.directory_doctors(department_id=department_id, q=q)
    for_patient = int_param(request.GET.get("for", "")) or ""
    context = {
        "departments": departments,
        "current_department": current,
        "q": q,
        "page": _page(request, doctors, per_page=12),
        # Staff booking for a patient carry ?for=<patient id> on to the booking page.
        "for_patient": for_patient,
        "all_count": 0,
        "all_departments_url": "",
    }
    if q and current:
        # A search within a department also says what the whole directory has for it.
        context["all_count"] = len(selectors.directory_doctors(q=q))
        context["all_departments_url"] = "?" + urlencode(
            {"q": q, **({"for": for_patient} if for_patient else {})}
        )
    return render(request, "clinic/directory.html", context)


@require_safe
@require_permission("clinic.view_doctor")
def directory_doctor(request: HttpRequest, pk: int) -> HttpResponse:
    doctor = access.get_doctor_for_user(request.user, pk)
    for_patient = request.GET.get("for", "")
    return render(
        request,
        "clinic/directory_doctor.html",
        {"doctor": doctor, "for_patient": int_param(for_patient) or ""},
    )


@require_safe
@require_permission("clinic.view_doctor")
def doctor_photo(request: HttpRequest, pk: int) -> HttpResponse:
    """Doctor photos are served through the app, so any storage and any web node work."""
    doctor = access.get_doctor_for_user(request.user, pk)
    if not doctor.photo:
        raise Http404
    response = FileResponse(doctor.photo.open("rb"))
    patch_cache_control(response, private=True, max_age=3600)
    return response
