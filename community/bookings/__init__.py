"""Bookable services: the operator's catalogue, slots computed from each service's weekly plan,
and residents' bookings on the capacity engine (at-home ones become work orders)."""
