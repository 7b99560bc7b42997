from django.dispatch import Signal

# Sent when a maintenance window has ended and its actual start and end are recorded (R5.8).
# Arguments: window (the MaintenanceWindow), start, end (aware datetimes), duration (timedelta).
# Apps whose deadlines an outage should extend (access windows, signing deadlines, exercise due
# dates) connect a receiver that extends what overlaps [start, end] and records an audit event.
outage_ended = Signal()
