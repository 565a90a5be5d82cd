"""Records pages, by concern: visits (write, read, versions), history (a patient's timeline,
a doctor's patients, the staff list, the access log) and exports (CSV, PDF, background, e-mail).

Each view checks access (records.access, which writes the access log), calls one service or
selector and renders; nothing but records/urls.py imports these modules.
"""
