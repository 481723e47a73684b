"""ENGINE: capacity. Places on a resource (a service slot, an activity session), reservations on
them, a waiting list with held offers, and the events that record every change."""
