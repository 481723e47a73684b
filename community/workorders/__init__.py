"""ENGINE: work orders. One state machine for repairs, care visits and at-home services: kinds
as data, the order page and timeline every kind shares, the staff list and the operator's
queue."""
