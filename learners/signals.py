"""Events other parts of learners react to. Sent after the transaction commits."""

from django.dispatch import Signal

# Sent once per course completion, with enrolment_id, after the completion is committed.
# Certificates are issued from here.
course_completed = Signal()
