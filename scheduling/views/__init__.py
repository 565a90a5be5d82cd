"""Scheduling pages, by concern: booking (picker, move), appointments (page, actions, lists),
schedule (a doctor's day and week), availability (hours, leave, slot grid, holidays).

Each view parses the request, checks access (scheduling.access), calls one service or selector
and renders; nothing but scheduling/urls.py imports these modules.
"""
