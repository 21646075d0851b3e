"""Writes for learners, one module per area. Import from the area module, e.g.
`from learners.services.learning import enrolment_create`."""
